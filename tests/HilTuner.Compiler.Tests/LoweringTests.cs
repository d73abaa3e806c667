using HilTuner.Compiler.Lowering;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;
using HilTuner.Vta.Simulation;
using HilTuner.Tests.Shared;

namespace HilTuner.Compiler.Tests;

[TestClass]
public sealed class LoweringTests
{
    [TestMethod]
    public void GemmLoopsDropUnitExtentsFoldTheTwoOutermostAndUnrollTheRest()
    {
        var loops = MicroOpLoops.FoldGemm(
        [
            new(1, 0, 100, 9),
            new(4, 1, 1, 0),
            new(3, 0, 1, 1),
            new(3, 0, 6, 3),
            new(2, 8, 0, 9),
        ], dstBase: 10, srcBase: 20, wgtBase: 30);
        Assert.AreEqual(new Loop(4, 1, 1, 0), loops.Outer, "the extent-1 loop vanished; the next became iter_out");
        Assert.AreEqual(new Loop(3, 0, 1, 1), loops.Inner);
        CollectionAssert.AreEqual(new[]
        {
            new MicroOp(10, 20, 30), new MicroOp(18, 20, 39),
            new MicroOp(10, 26, 33), new MicroOp(18, 26, 42),
            new MicroOp(10, 32, 36), new MicroOp(18, 32, 45),
        }, loops.Uops, "the rest unrolled in nest order, innermost fastest");
        Assert.AreEqual(4L * 3 * 6, loops.Iterations);
    }

    [TestMethod]
    public void AluLoopsMergeWhenContiguousInSourceAndDestination()
    {
        var inPlace = MicroOpLoops.FlattenAlu([new(4, 12, 12), new(3, 4, 4), new(4, 1, 1)], 100, 100);
        Assert.AreEqual(new Loop(48, 1, 1), inPlace.Outer, "a contiguous 4×3×4 tile is one loop of 48");
        Assert.AreEqual(1, inPlace.Inner.Extent);
        Assert.AreEqual(new MicroOp(100, 100), inPlace.Uops.Single());

        var bias = MicroOpLoops.FlattenAlu([new(4, 12, 1), new(3, 4, 0), new(4, 1, 0)], 100, 200);
        Assert.AreEqual((new Loop(4, 12, 1), new Loop(12, 1, 0)), (bias.Outer, bias.Inner), "the bias index moves only with the channel");
    }

    [TestMethod]
    public void DmaPatternsFoldContiguousDimensionsIntoAtMostTwoRuns()
    {
        Assert.AreEqual(new DmaPattern(1, 4 * 49, 4 * 49), DmaPattern.Fold((4, 49), (7, 7), (7, 1)), "whole planes of consecutive channel blocks are one run");
        Assert.AreEqual(new DmaPattern(4, 49, 100), DmaPattern.Fold((4, 100), (7, 7), (7, 1)), "whole planes of channel blocks 100 elements apart: one run per block");
        Assert.AreEqual(new DmaPattern(1, 16 * 9, 16 * 9), DmaPattern.Fold((16, 9), (1, 9), (3, 3), (3, 1)), "a weight tile over all input blocks is one run");
        Assert.AreEqual(new DmaPattern(7, 1, 7), DmaPattern.Fold((1, 49), (7, 7), (1, 1)), "a column is y rows of one element");
        Assert.IsNull(DmaPattern.Fold((4, 49), (2, 7), (3, 1)), "channel × partial rows × partial columns needs three runs");
    }

    [TestMethod]
    public void TheSramOverflowErrorNamesTheBufferTheNeedAndTheLimit()
    {
        var w = WorkloadRegistry.Resolve("resnet18.C2");
        var space = Templates.For(w, VtaConfig.Pynq);
        var config = space.FromKnobs("""{"tile_h": 56, "tile_w": 56, "tile_co": 4, "oc_nthread": 2}""");
        var error = VtaCompiler.Compile(w, config, Repository.UncalibratedBoard).Error!;
        Assert.AreEqual(CompileErrorKind.SramOverflow, error.Kind);
        StringAssert.Contains(error.Message, "allocation exceeds local.inp_buffer: the input buffer needs 6728 elements");
        StringAssert.Contains(error.Message, "but holds 2048 (32768 bytes)");
    }

    [TestMethod]
    public void PaddedConvolutionsLoadOneChannelBlockAtATime()
    {
        var w = WorkloadRegistry.Resolve("resnet18.C11");
        var config = Templates.For(w, VtaConfig.Pynq).FromKnobs("""{"tile_h": 7, "tile_ci": 2, "tile_co": 16}""");
        var error = VtaCompiler.Compile(w, config, Repository.UncalibratedBoard).Error!;
        Assert.AreEqual(CompileErrorKind.DmaPattern, error.Kind);
        StringAssert.Contains(error.Message, "Do not support pad on the innermost block");
    }

    [TestMethod]
    public void AnOutputTileOfPartialRowsAndColumnsOverSeveralChannelBlocksIsNotOneStore()
    {
        var w = WorkloadRegistry.Resolve("resnet18.C2");
        var config = Templates.For(w, VtaConfig.Pynq).FromKnobs("""{"tile_h": 2, "tile_w": 2, "tile_co": 2}""");
        var error = VtaCompiler.Compile(w, config, Repository.UncalibratedBoard).Error!;
        Assert.AreEqual(CompileErrorKind.DmaPattern, error.Kind);
        StringAssert.Contains(error.Message, "the output tile (2 channel blocks × 2 rows × 2 columns of a 56×56 map) is not one 2-D store");
    }

    [TestMethod]
    public void DenseTensorizesOnlyWithOneOutputBlockPerTile()
    {
        var w = WorkloadRegistry.Resolve("dense.512");
        var config = Templates.For(w, VtaConfig.Pynq).FromKnobs("""{"tile_co": 2}""");
        Assert.AreEqual(CompileErrorKind.Tensorize, VtaCompiler.Compile(w, config, Repository.UncalibratedBoard).Error!.Kind);
    }

    [TestMethod]
    public void AKernelLargerThanTheMicroOpBufferCompilesAndTheRuntimeRefusesIt()
    {
        // As upstream: nothing in TVM's build limits a kernel's size; runtime.cc UopQueue::Push CHECKs it on the host.
        var board = Boards.With(j =>
        {
            j["vta"]!["LOG_UOP_BUFF_SIZE"] = 8;
            j["hardware"]!["uop_buffer_depth"] = 64;
        });
        var w = WorkloadRegistry.Resolve("resnet18.C11");
        var result = VtaCompiler.Compile(w, Templates.For(w, board.Vta).Get(241), board);
        Assert.IsNull(result.Error, result.Error?.Message);
        Assert.IsTrue(result.Program!.Image.Kernels.Any(k => k.Count == 112), "the 112-micro-op kernel is in the program");
        var refused = RuntimeChecks.FirstFailure(result.Program.Image, board.Hardware.MaxTransferBytes);
        Assert.AreEqual(RuntimeCheckKind.UopQueuePush, refused!.Kind);
        StringAssert.Contains(refused.Reason, "has 112 micro-ops, more than the micro-op buffer's 64");
    }

    [TestMethod]
    public void APaddingWiderThanItsFieldCompilesTruncatedAsTheRuntimeEncodesItAndComputesAWrongAnswer()
    {
        // As upstream: nothing in TVM's lowering bounds a pad, and runtime.cc's LoadBuffer2D assigns y_pad_0 = 16 to a
        // 4-bit bit-field, which keeps 0. The accelerator runs the truncated load: a corner tile's 8×8 image elements
        // land where its 16 rows and columns of padding belonged.
        var board = Repository.UncalibratedBoard;
        var w = WorkloadRegistry.Resolve("""{"op": "conv2d", "height": 32, "width": 32, "in_filter": 16, "out_filter": 16, "hkernel": 17, "wkernel": 17, "hpad": 16, "wpad": 16}""");
        var result = VtaCompiler.Compile(w, Templates.For(w, VtaConfig.Pynq).FromKnobs("""{"tile_h": 8, "tile_w": 8}"""), board);
        Assert.IsNull(result.Error, result.Error?.Message);
        var loads = result.Program!.Image.Instructions.Where(i => IsaLayout.KindOf(i) == InstructionKind.Memory)
            .Select(i => MemoryInstruction.Decode(board.Isa, i))
            .Where(m => m.Opcode == Opcode.Load && m.MemoryType == MemoryType.Inp).ToList();
        Assert.IsTrue(loads.Any(m => m.SramElements == 24 * 24), "an inner tile loads its whole 24×24 box");
        Assert.IsTrue(loads.Any(m => m is { YPad0: 0, XPad0: 0, YSize: 8, XSize: 8, SramElements: 8 * 8 }), "a corner tile's pads of 16 became 0");

        var tensors = OperatorTensors.Random(w, seed: 0);
        var (run, output) = new SimulatorSession(new VtaSimulator(board)).Run(result.Program.Image, tensors.Pack(board.Vta));
        Assert.AreEqual(RunStatus.Finished, run.Status, run.Diagnostic);
        var got = tensors.UnpackOutput(board.Vta, output);
        var differ = got.Zip(tensors.Reference()).Count(p => p.First != p.Second);
        Assert.IsGreaterThan(1000, differ, $"{differ} of {got.Length} output elements differ from the reference");
    }

    [TestMethod]
    public void FeaturesCountTheProgramAndHaveStableNames()
    {
        var w = WorkloadRegistry.Resolve("resnet18.C11");
        var program = VtaCompiler.Compile(w, Templates.For(w, VtaConfig.Pynq).Get(241), Repository.UncalibratedBoard).Program!;
        var f = program.Features;
        Assert.AreEqual(CompileFeatures.Definitions.Count, f.Values.Count);
        Assert.AreEqual(CompileFeatures.Definitions.Count, CompileFeatures.Definitions.Select(d => d.Name).Distinct().Count());

        // tile_h 7, tile_w 1, tile_co 16, two threads over output channels: 7 column tiles × 2 threads, 32 ci steps each.
        Assert.AreEqual(14, f["tiles"]);
        Assert.AreEqual(2, f["virtual_threads"]);
        Assert.AreEqual(14 * 32, f["insn_load_inp"]);
        Assert.AreEqual(14 * 32, f["insn_load_wgt"]);
        Assert.AreEqual(14 * 33, f["insn_gemm"], "one reset and 32 accumulating GEMMs per tile");
        Assert.AreEqual(14 * 4, f["insn_alu"]);
        Assert.AreEqual(12, f["insn_load_uop"], "six kernels per thread, each loaded once");
        Assert.AreEqual(program.Image.Instructions.Count, f["insn_total"]);
        Assert.AreEqual(16 * 7, f["uop_kernel_max"], "co · h micro-ops: with tile_w 1 the kernel's kw and kh form the loops");
        Assert.AreEqual(14 * 32 * (3 * 3 * 16 * 7), f["gemm_uop_iterations"]);
        Assert.AreEqual(2 * ((16 * 7) + 16) / 2048.0, f["sram_acc_occupancy"], 1e-12);
        Assert.AreEqual(f["insn_gemm"] - 14 + 1, f["tokens_l2g"], "every accumulating GEMM waits for its loads, plus the final synchronisation");
        Assert.IsTrue(f["est_cycles"] >= f["est_cycles_compute"] && f["est_seconds"] > 0);
    }
}
