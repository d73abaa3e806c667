using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Tests.Shared;

namespace HilTuner.Hardware.Tests;

[TestClass]
public sealed class SimTargetTests
{
    private static readonly Workload C11 = WorkloadRegistry.Resolve("resnet18.C11");
    private static readonly OperatorTensors Tensors = OperatorTensors.Random(C11, 0);

    private static (MeasureStatus Status, Measurement? Measurement, string? Error) Measure(long index, SimTarget? target = null)
    {
        target ??= new SimTarget(Repository.UncalibratedBoard);
        var compiled = VtaCompiler.Compile(C11, Templates.For(C11, target.Board.Vta).Get(index), target.Board);
        if (compiled.Program is null)
        {
            return (MeasureStatus.CompileError, null, compiled.Error!.Message);
        }

        var m = target.Measure(compiled.Program, Tensors);
        return (m.Status, m, m.Error);
    }

    /// <summary>Each status, from a real configuration of ResNet-18's C11 on the PYNQ configuration.</summary>
    [TestMethod]
    public void EveryStatusArisesFromARealConfiguration()
    {
        // TopHub-style tiling: 7 rows × 16 channel blocks, two threads over output channels.
        var (ok, okMeasurement, _) = Measure(241);
        Assert.AreEqual(MeasureStatus.Ok, ok);
        Assert.IsTrue(okMeasurement!.Matches == true && okMeasurement.Cycles > 0 && okMeasurement.Seconds > 0);
        Assert.AreEqual(MeasureErrorNo.NoError, okMeasurement.ErrorNo);

        // tile_ci 2 on a padded convolution: the input tile is no longer one padded 2-D DMA.
        var (compile, _, compileError) = Measure(4);
        Assert.AreEqual(MeasureStatus.CompileError, compile);
        StringAssert.Contains(compileError, "pad on the innermost block");
        Assert.AreEqual(MeasureErrorNo.CompileHost, MeasureStatus.CompileError.ErrorNo());

        // 1×7 tiles over one channel block: the kernel's two micro-ops hit the same accumulator back to back; the runtime refuses it.
        var (runtime, runtimeMeasurement, runtimeError) = Measure(2);
        Assert.AreEqual(MeasureStatus.RuntimeError, runtime);
        StringAssert.Contains(runtimeError, "back-to-back writes to one accumulator index");
        Assert.AreEqual(MeasureErrorNo.RuntimeDevice, runtimeMeasurement!.ErrorNo);

        // On a board whose accumulator pipeline is deeper than the runtime's guard of 2 micro-ops, a kernel that writes one
        // accumulator a few micro-ops apart within one pass passes the runtime's check and the board computes garbage.
        var (wrong, wrongMeasurement, wrongError) = Measure(3, new SimTarget(Board.Load(HilTuner.Tests.Shared.Repository.DeepPipelineBoardFile)));
        Assert.AreEqual(MeasureStatus.WrongAnswer, wrong);
        Assert.IsFalse(wrongMeasurement!.Matches);
        StringAssert.Contains(wrongError, "output elements differ from the reference; the first at element");
        Assert.AreEqual(MeasureErrorNo.WrongAnswer, wrongMeasurement.ErrorNo);

        // The configuration that runs fine, under a watchdog shorter than it takes: the board never raises done in time.
        var (hang, hangMeasurement, hangError) = Measure(241, new SimTarget(Repository.UncalibratedBoard) { MaxCycles = 100_000 });
        Assert.AreEqual(MeasureStatus.Hang, hang);
        StringAssert.Contains(hangError, "still running after 100000 cycles");
        Assert.AreEqual(MeasureErrorNo.RunTimeout, hangMeasurement!.ErrorNo);
    }

    /// <summary>
    /// A micro-op kernel larger than the micro-op buffer compiles (TVM's build has no such limit) and VTA's runtime
    /// refuses it on the host (runtime.cc <c>UopQueue::Push</c>): a runtime error, AutoTVM's error number 4.
    /// </summary>
    [TestMethod]
    public void AKernelLargerThanTheMicroOpBufferIsARuntimeErrorOfTheRuntimesUopQueue()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!.AsObject();
        json["vta"]!["LOG_UOP_BUFF_SIZE"] = 8;
        json["hardware"]!["uop_buffer_depth"] = 64;
        var small = Board.Parse(json.ToJsonString(), "small-uop-buffer.json");

        var (status, m, error) = Measure(241, new SimTarget(small));

        Assert.AreEqual(MeasureStatus.RuntimeError, status, error);
        Assert.AreEqual(MeasureErrorNo.RuntimeDevice, m!.ErrorNo);
        StringAssert.StartsWith(error, "runtime check: UopQueuePush: micro-op kernel");
        StringAssert.Contains(error, "has 112 micro-ops, more than the micro-op buffer's 64");
    }

    [TestMethod]
    public void AHungSimulatedBoardIsResetBeforeTheNextMeasurement()
    {
        var target = new SimTarget(Repository.UncalibratedBoard) { MaxCycles = 100_000 };
        Assert.AreEqual(MeasureStatus.Hang, Measure(241, target).Status);
        var fast = VtaCompiler.Compile(C11, Templates.For(C11, Repository.UncalibratedBoard.Vta).FromKnobs("""{"tile_h": 7, "tile_w": 7, "tile_co": 4, "oc_nthread": 2}"""), Repository.UncalibratedBoard).Program!;
        var unlimited = new SimTarget(Repository.UncalibratedBoard);
        Assert.AreEqual(MeasureStatus.Ok, unlimited.Measure(fast, Tensors).Status);
        Assert.AreEqual(MeasureStatus.Hang, target.Measure(fast, Tensors).Status, "still too slow for a 100 000-cycle watchdog, but measured: the board was reset");
    }

    [TestMethod]
    public void WithoutTheCheckTheOutputIsNotCompared()
    {
        var deep = new SimTarget(Board.Load(HilTuner.Tests.Shared.Repository.DeepPipelineBoardFile));
        Assert.AreEqual(MeasureStatus.WrongAnswer, Measure(3, deep).Status);
        var program = VtaCompiler.Compile(C11, Templates.For(C11, deep.Board.Vta).Get(3), deep.Board).Program!;
        var m = deep.Measure(program, Tensors, checkOutput: false);
        Assert.AreEqual(MeasureStatus.Ok, m.Status, "the hazard's wrong answer goes unnoticed when nobody checks");
        Assert.IsNull(m.Matches);
    }

    [TestMethod]
    public void TheOutputCheckNamesTheFirstDifference()
    {
        Assert.IsNull(OutputCheck.FirstMismatch([1, 2, 3], [1, 2, 3]));
        Assert.AreEqual("2 of 4 output elements differ from the reference; the first at element 1: got 9, expected 2",
            OutputCheck.FirstMismatch([1, 9, 3, 0], [1, 2, 3, 4]));
        StringAssert.Contains(OutputCheck.FirstMismatch([1], [1, 2]), "the output has 1 elements, the reference 2");
    }
}
