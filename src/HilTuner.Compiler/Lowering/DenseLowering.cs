using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler.Lowering;

/// <summary>
/// Lowers a dense workload with a <c>dense_packed.vta</c> configuration. Output tiles are b1 rows × co1
/// channel blocks. VTA's schedule reorders the dense stage to (batch, reduction, …, channel), which puts the
/// channel loop inside the GEMM intrinsic's region: tensorization only matches when tile_co's inner factor
/// is 1. The reduction's inner tile_ci loop becomes the micro-op loop, so each row's GEMM is one micro-op
/// repeated tile_ci times on the same accumulator. Per row and per tile_ci step an input row and a weight
/// tile are loaded; the epilogue matches conv2d's; each row is stored by its own 2-D store.
/// </summary>
internal static class DenseLowering
{
    private static readonly (SharedRegion, int)[] s_none = [];

    public static (ProgramImage Image, CompileFeatures Features) Lower(DenseWorkload w, Configuration cfg, Board board)
    {
        var c = board.Vta;
        int b1 = cfg["tile_b"], ci1 = cfg["tile_ci"], co1 = cfg["tile_co"], threads = cfg["oc_nthread"];
        var rows = w.Batch / c.Batch;
        int k16 = w.InFeatures / c.BlockIn, m16 = w.OutFeatures / c.BlockOut;
        int b0 = rows / b1, co0 = m16 / co1, ciSteps = k16 / ci1;
        if (co1 > 1)
        {
            throw new CompileError(CompileErrorKind.Tensorize,
                $"tile_co's inner factor {co1} leaves the output-channel loop inside the GEMM intrinsic's region (the dense schedule's reorder " +
                "places it below the batch block), which cannot match the BATCH×BLOCK·BLOCK×BLOCK intrinsic (tensorize fails)");
        }

        var plan = new SramPlan(ci1, co1 * ci1, (b1 * co1) + co1, threads,
            $"tile_ci = {ci1}", $"tile_co·tile_ci = {co1}·{ci1}", $"tile_b·tile_co + tile_co (bias) = {b1}·{co1} + {co1}");
        plan.Check(c);

        var b = new ProgramBuilder(board, (int)Math.Min(1 << 26, (long)b0 * co0 * ((b1 * ((3L * ciSteps) + 2)) + 6)));
        var kernels = new RowKernels[threads];
        for (var t = 0; t < threads; t++)
        {
            kernels[t] = RowKernels.Create(b, t, b1, ci1, co1, plan);
        }

        b.LayOut(new Dictionary<SegmentKind, long>
        {
            [SegmentKind.Data] = (long)rows * k16 * c.InpElemBytes,
            [SegmentKind.Weight] = (long)m16 * k16 * c.WgtElemBytes,
            [SegmentKind.Bias] = (long)m16 * c.AccElemBytes,
            [SegmentKind.Output] = (long)rows * m16 * c.OutElemBytes,
        });
        var bias = new MemoryTemplate[threads];
        var weights = new MemoryTemplate[threads];
        var inputs = new MemoryTemplate[threads];
        var stores = new MemoryTemplate[threads * b1];
        for (var t = 0; t < threads; t++)
        {
            var k = kernels[t];
            bias[t] = b.Template(MemoryInstruction.Load(MemoryType.Acc, (uint)k.BiasBase, 0, 1, (uint)co1, (uint)co1), SegmentKind.Bias);
            weights[t] = b.Template(MemoryInstruction.Load(MemoryType.Wgt, (uint)k.WgtBase, 0, 1, (uint)ci1, (uint)ci1), SegmentKind.Weight);
            inputs[t] = b.Template(MemoryInstruction.Load(MemoryType.Inp, (uint)k.InpBase, 0, 1, (uint)ci1, (uint)ci1), SegmentKind.Data);
            for (var row = 0; row < b1; row++)
            {
                stores[(t * b1) + row] = b.Template(MemoryInstruction.Store((uint)(k.AccBase + (row * co1)), 0, 1, (uint)co1, (uint)co1), SegmentKind.Output);
            }
        }

        long tiles = 0;
        var active = new List<int>(threads);
        for (var bo = 0; bo < b0; bo++)
        {
            for (var co0o = 0; co0o < (co0 + threads - 1) / threads; co0o++)
            {
                active.Clear();
                for (var t = 0; t < threads; t++)
                {
                    if ((co0o * threads) + t < co0)
                    {
                        active.Add(t);
                    }
                }

                tiles += active.Count;
                foreach (var t in active)
                {
                    b.BeginOp(VtaModule.Compute);
                    b.Add(bias[t], CoStart(co0o, t));
                    b.EndOp(s_none, s_none);
                }

                for (var row = 0; row < b1; row++)
                {
                    var dataRow = (bo * b1) + row;
                    foreach (var t in active)
                    {
                        b.BeginOp(VtaModule.Compute);
                        b.Gemm(kernels[t].Reset[row], kernels[t].ResetLoops[row], reset: true);
                        b.EndOp(s_none, [(SharedRegion.Out, t)]);
                    }

                    for (var step = 0; step < ciSteps; step++)
                    {
                        foreach (var t in active)
                        {
                            b.BeginOp(VtaModule.Load);
                            b.Add(weights[t], ((long)CoStart(co0o, t) * k16) + (step * ci1));
                            b.EndOp(s_none, [(SharedRegion.Wgt, t)]);
                        }

                        foreach (var t in active)
                        {
                            b.BeginOp(VtaModule.Load);
                            b.Add(inputs[t], ((long)dataRow * k16) + (step * ci1));
                            b.EndOp(s_none, [(SharedRegion.Inp, t)]);
                        }

                        foreach (var t in active)
                        {
                            b.BeginOp(VtaModule.Compute);
                            b.Gemm(kernels[t].Gemm[row], kernels[t].GemmLoops[row], reset: false);
                            b.EndOp([(SharedRegion.Inp, t), (SharedRegion.Wgt, t)], [(SharedRegion.Out, t)]);
                        }
                    }
                }

                foreach (var (op, imm, stage) in Conv2dLowering.s_epilogue)
                {
                    foreach (var t in active)
                    {
                        b.BeginOp(VtaModule.Compute);
                        var (kernel, loops) = kernels[t].Alu[stage];
                        b.Alu(kernel, loops, op, useImm: op != AluOpcode.Add, imm);
                        b.EndOp(s_none, [(SharedRegion.Out, t)]);
                    }
                }

                for (var row = 0; row < b1; row++)
                {
                    foreach (var t in active)
                    {
                        b.BeginOp(VtaModule.Store);
                        b.Add(stores[(t * b1) + row], ((long)((bo * b1) + row) * m16) + CoStart(co0o, t));
                        b.EndOp([(SharedRegion.Out, t)], s_none);
                    }
                }
            }
        }

        int CoStart(int co0o, int t) => ((co0o * threads) + t) * co1;

        var image = b.Finish();
        var features = CompileFeatures.From(b.Count, plan.Use(c, b.Count.UopHighWater, image.MicroOps.Length), threads, tiles,
            w.MultiplyAccumulates, new Vta.Timing.TimingModel(board));
        return (image, features);
    }

    /// <summary>One virtual thread's bases and kernels; the reset and GEMM kernels differ per row (the row is outside the micro-op scope).</summary>
    private sealed record RowKernels(int InpBase, int WgtBase, int AccBase, int BiasBase,
        int[] Reset, MicroOpLoops[] ResetLoops, int[] Gemm, MicroOpLoops[] GemmLoops, (int Kernel, MicroOpLoops Loops)[] Alu)
    {
        public static RowKernels Create(ProgramBuilder b, int t, int b1, int ci1, int co1, SramPlan plan)
        {
            var inpBase = t * plan.InpTile;
            var wgtBase = t * plan.WgtTile;
            var accBase = t * plan.AccTile;
            var biasBase = accBase + (b1 * co1);
            var resets = new MicroOpLoops[b1];
            var gemms = new MicroOpLoops[b1];
            var resetIds = new int[b1];
            var gemmIds = new int[b1];
            for (var row = 0; row < b1; row++)
            {
                resets[row] = MicroOpLoops.FoldGemm([], accBase + (row * co1), 0, 0);
                gemms[row] = MicroOpLoops.FoldGemm([new(ci1, 0, 1, 1)], accBase + (row * co1), inpBase, wgtBase);
                resetIds[row] = b.AddKernel($"gemm reset thread {t} row {row}", resets[row].Uops);
                gemmIds[row] = b.AddKernel($"gemm thread {t} row {row}", gemms[row].Uops);
            }

            Loop[] inPlace = [new(b1, co1, co1), new(co1, 1, 1)];
            Loop[] biasAdd = [new(b1, co1, 0), new(co1, 1, 1)];
            var alu = new (int, MicroOpLoops)[4];
            string[] names = ["shr", "add", "min", "max"];
            for (var s = 0; s < 4; s++)
            {
                var loops = s == 1 ? MicroOpLoops.FlattenAlu(biasAdd, accBase, biasBase) : MicroOpLoops.FlattenAlu(inPlace, accBase, accBase);
                alu[s] = (b.AddKernel($"alu {names[s]} thread {t}", loops.Uops), loops);
            }

            return new RowKernels(inpBase, wgtBase, accBase, biasBase, resetIds, resets, gemmIds, gemms, alu);
        }
    }
}
