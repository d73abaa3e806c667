using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Replay;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests;

[TestClass]
public sealed class GroundTruthTests
{
    private static readonly Workload Dense = WorkloadRegistry.Resolve("dense.512");
    private static readonly Lazy<GroundTruthTable> Table = new(() => GroundTruthTable.Measure(Dense, Repository.UncalibratedBoard));

    private static string NewPath(string name) => Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"), name);

    /// <summary>
    /// The tables are keyed on the builds of the compiler, simulator and targets (their module version ids). Those ids
    /// must change with the code only: an assembly that embeds the commit it was built from (the SDK's default
    /// informational version "1.0.0+sha") changes its id on every commit, and every table would be measured again.
    /// </summary>
    [TestMethod]
    public void TheToolVersionKeyingTheTablesDoesNotCarryTheCommit()
    {
        foreach (var type in new[] { typeof(VtaCompiler), typeof(Vta.Simulation.VtaSimulator), typeof(SimTarget) })
        {
            var version = type.Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
            Assert.DoesNotContain("+", version, $"{type.Assembly.GetName().Name} embeds a source revision ({version}): its module version id, a part of GroundTruthTable.ToolVersion, would change with every commit");
        }
    }

    [TestMethod]
    public void EveryConfigurationIsMeasuredAsTheSimulatorTargetMeasuresIt()
    {
        var truth = Table.Value;
        var space = Templates.For(Dense, Repository.UncalibratedBoard.Vta);
        Assert.HasCount((int)space.Size, truth.Entries);
        var target = new SimTarget(Repository.UncalibratedBoard);
        var tensors = OperatorTensors.Random(Dense, GroundTruthTable.InputSeed);
        for (var i = 0L; i < space.Size; i++)
        {
            var build = VtaCompiler.Compile(Dense, space.Get(i), Repository.UncalibratedBoard);
            var expected = build.Program is { } p ? target.Measure(p, tensors, MeasureOptions.Default) : new Measurement { Status = MeasureStatus.CompileError };
            Assert.AreEqual(expected.Status, truth[i].Status, $"configuration {i}");
            Assert.AreEqual(expected.Cycles, truth[i].Cycles, $"configuration {i}");
        }

        Assert.IsTrue(truth.Counts().ContainsKey(MeasureStatus.Ok));
        Assert.IsTrue(truth.Counts().ContainsKey(MeasureStatus.CompileError));
    }

    [TestMethod]
    public void ATableIsSavedAndReadBack()
    {
        var path = NewPath("dense.jsonl");
        Table.Value.Save(path);
        var back = GroundTruthTable.Load(path, Dense, Repository.UncalibratedBoard);
        CollectionAssert.AreEqual(Table.Value.Entries.ToArray(), back.Entries.ToArray());
        Assert.AreEqual(Table.Value.Best(), back.Best());
    }

    [TestMethod]
    public void ATableOfAnotherBoardOrWorkloadIsRefused()
    {
        var path = NewPath("dense.jsonl");
        Table.Value.Save(path);
        var de10 = Board.Load(Repository.BoardFile("de10-nano.json"));
        var e = Assert.ThrowsExactly<GroundTruthException>(() => GroundTruthTable.Load(path, Dense, de10));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "measured for another workload, board or build");
        Assert.ThrowsExactly<GroundTruthException>(() => GroundTruthTable.Load(path, WorkloadRegistry.Resolve("dense.1024"), Repository.UncalibratedBoard));
        Assert.AreNotEqual(GroundTruthTable.FileName(Dense, Repository.UncalibratedBoard), GroundTruthTable.FileName(Dense, de10));
    }

    [TestMethod]
    public void ADamagedTableIsAnErrorNamingFileAndLine()
    {
        var path = NewPath("dense.jsonl");
        Table.Value.Save(path);
        var lines = File.ReadAllLines(path);

        File.WriteAllLines(path, lines[..^1]);
        StringAssert.Contains(Assert.ThrowsExactly<GroundTruthException>(() => GroundTruthTable.Load(path, Dense, Repository.UncalibratedBoard)).Message, "71 configurations, the space has 72");

        lines[5] = "{\"index\": 4, \"status\": \"fine\", \"cycles\": 1, \"seconds\": 0}";
        File.WriteAllLines(path, lines);
        StringAssert.Contains(Assert.ThrowsExactly<GroundTruthException>(() => GroundTruthTable.Load(path, Dense, Repository.UncalibratedBoard)).Message, $"{path}:6: unknown status");

        File.WriteAllText(path, "not json\n");
        StringAssert.Contains(Assert.ThrowsExactly<GroundTruthException>(() => GroundTruthTable.Load(path, Dense, Repository.UncalibratedBoard)).Message, $"{path}:1: not valid JSON");
    }

    [TestMethod]
    public void ReplayAnswersWhatTheSimulatorAnswered()
    {
        var truth = Table.Value;
        var replay = new ReplayTarget(Repository.UncalibratedBoard, [truth]);
        Assert.AreEqual("replay", replay.Kind);
        var space = Templates.For(Dense, Repository.UncalibratedBoard.Vta);
        var (best, seconds) = truth.Best();
        var program = VtaCompiler.Compile(Dense, space.Get(best), Repository.UncalibratedBoard).Program!;
        var m = replay.Measure(program, OperatorTensors.Random(Dense, 0), MeasureOptions.Default);
        Assert.AreEqual(MeasureStatus.Ok, m.Status);
        CollectionAssert.AreEqual(Enumerable.Repeat(seconds, 3).ToArray(), m.Costs.ToArray());

        // A run longer than the timeout hangs, as the board's watchdog would say.
        var hung = replay.Measure(program, OperatorTensors.Random(Dense, 0), MeasureOptions.Default with { TimeoutSeconds = seconds / 2 });
        Assert.AreEqual(MeasureStatus.Hang, hung.Status);
    }
}
