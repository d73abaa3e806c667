using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Bridge;
using HilTuner.Hardware.Runner;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests;

/// <summary>
/// The measurement policy is the runner's, whatever the back end: back ends written here, with no simulator target,
/// link or agent around them, get the runtime's checks, the output comparison, the retry and the attribution.
/// </summary>
[TestClass]
public sealed class MeasurementRunnerTests
{
    private static readonly Workload C11 = WorkloadRegistry.Resolve("resnet18.C11");
    private static readonly OperatorTensors Tensors = OperatorTensors.Random(C11, 0);

    private static VtaProgram Compile(long index) => VtaCompiler.Compile(C11, Templates.For(C11, Board.Default.Vta).Get(index), Board.Default).Program!;

    /// <summary>The simulator's mechanism with a hook that may damage the output or break the "link" before a run.</summary>
    private class FakeBackEnd : IBackEnd
    {
        private readonly SimBackEnd _simulator = new(Board.Default);

        public List<VtaProgram> Ran { get; } = [];

        public Func<VtaProgram, sbyte[]?, sbyte[]?> Output { get; init; } = (_, output) => output;

        public Action<VtaProgram>? Before { get; init; }

        public string Kind => "fake";

        public Board Board => Board.Default;

        public (Measurement Measurement, sbyte[]? Output) Run(VtaProgram program, OperatorTensors tensors, MeasureOptions options, Measurement? predicted)
        {
            Ran.Add(program);
            Before?.Invoke(program);
            var (m, output) = _simulator.Run(program, tensors, options, predicted);
            return (m, Output(program, output));
        }
    }

    private sealed class FakeBoard : FakeBackEnd, IRecoverableBackEnd
    {
        public int Recoveries { get; private set; }

        public string Describe => "a board in a test";

        public void Ping()
        {
        }

        public string Reconnect() => "reconnected";

        public void Recover(Func<string?> healthy, Action<BoardEvent> record)
        {
            Recoveries++;
            record(new BoardEvent(DateTimeOffset.Now, "reset step fake", TimeSpan.Zero, healthy() is null));
        }
    }

    [TestMethod]
    public void TheRuntimesChecksAndTheOutputComparisonAreTheRunnersWhateverTheBackEnd()
    {
        // The back end flips one element of every output it returns.
        var backEnd = new FakeBackEnd { Output = (_, output) => output is null ? null : [(sbyte)(output[0] + 1), .. output[1..]] };
        var runner = new MeasurementRunner(backEnd);
        Assert.AreEqual("fake", runner.Kind);

        var refused = runner.Measure(Compile(2), Tensors, MeasureOptions.Default);
        Assert.AreEqual(MeasureStatus.RuntimeError, refused.Status);
        StringAssert.StartsWith(refused.Error, "runtime check: ");
        Assert.IsEmpty(backEnd.Ran, "a program the runtime refuses never reaches the back end");

        var wrong = runner.Measure(Compile(241), Tensors, MeasureOptions.Default);
        Assert.AreEqual(MeasureStatus.WrongAnswer, wrong.Status);
        Assert.IsFalse(wrong.Matches);
        Assert.IsEmpty(wrong.Costs, "a wrong answer has no costs");
        StringAssert.Contains(wrong.Error, "the first at element 0");

        var notChecked = runner.Measure(Compile(241), Tensors, MeasureOptions.Default with { CheckOutput = false });
        Assert.AreEqual(MeasureStatus.Ok, notChecked.Status);
        Assert.HasCount(MeasureOptions.Default.Repeat, notChecked.Costs);
    }

    [TestMethod]
    public void ABackEndThatLosesItsLinkTwiceOnOneProgramIsRetriedOnceAndTheLossChargedAsReproduced()
    {
        var program = Compile(241);
        var board = new FakeBoard { Before = p => { if (p == program) { throw new LinkLostException("the fake link broke"); } } };
        var runner = new MeasurementRunner(board);

        var m = runner.Measure(program, Tensors, MeasureOptions.Default);

        Assert.AreEqual(MeasureStatus.LinkLost, m.Status);
        Assert.AreEqual(FailureAttribution.Reproduced, m.Attribution);
        Assert.AreEqual(2, runner.Retries);
        Assert.AreEqual(2, board.Ran.Count(p => p == program), "measured twice, then charged");
        Assert.AreEqual(1, board.Ran.Count(p => p != program), "the known program ran once, before the first measurement");
        CollectionAssert.AreEqual(
            new[] { "link lost during resnet18.C11 #241: the fake link broke; reconnecting, then measuring it again", "reconnected" },
            runner.Events.Take(2).Select(e => e.What).ToArray(), string.Join("\n", runner.Events));
    }

    [TestMethod]
    public void AHangTheSimulatorPredictsIsChargedAtOnceAndQuarantinedAboveAnyRecoverableBackEnd()
    {
        var hanging = Bridge.Deadlock.Of(Compile(241));
        var board = new FakeBoard();
        var runner = new MeasurementRunner(board);

        var m = runner.Measure(hanging, Tensors, MeasureOptions.Default with { TimeoutSeconds = 0.01 });

        Assert.AreEqual(MeasureStatus.Hang, m.Status);
        Assert.AreEqual(FailureAttribution.Predicted, m.Attribution);
        Assert.AreEqual(1, runner.Quarantined);
        Assert.AreEqual(1, board.Recoveries, "brought back once after the hang");
        var again = runner.Measure(hanging, Tensors, MeasureOptions.Default);
        StringAssert.StartsWith(again.Error, "quarantined, not sent: ");
        Assert.AreEqual(1, board.Ran.Count(p => p == hanging), "a quarantined program is never sent again");
    }
}
