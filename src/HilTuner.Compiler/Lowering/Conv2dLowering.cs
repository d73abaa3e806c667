using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler.Lowering;

/// <summary>
/// Lowers a conv2d workload with a <c>conv2d_packed.vta</c> configuration the way VTA's schedule and TVM's
/// passes do. Output tiles of co1 × h1 × w1 (tile_co, tile_h, tile_w inner factors) are computed in the
/// accumulator one after another; per tile the bias is loaded, the accumulators reset, and for each step of
/// tile_ci's outer loop a weight tile and an input tile (the convolution's padding expressed as load
/// padding) are loaded and multiplied in; then the epilogue (shift by 8, bias add, clip to [0, 127]) runs on
/// the ALU and one 2-D store writes the tile. Virtual threads (oc_nthread × h_nthread) take consecutive
/// tiles along output channels and rows, each with its own copy of every buffer, and their statements are
/// interleaved so load, compute and store overlap.
/// </summary>
internal static class Conv2dLowering
{
    private static readonly (SharedRegion, int)[] s_none = [];

    public static (ProgramImage Image, CompileFeatures Features) Lower(Conv2dWorkload w, Configuration cfg, Board board)
    {
        var c = board.Vta;
        int h1 = cfg["tile_h"], w1 = cfg["tile_w"], ci1 = cfg["tile_ci"], co1 = cfg["tile_co"];
        int ocThreads = cfg["oc_nthread"], hThreads = cfg["h_nthread"];
        var groups = w.Batch / c.Batch;
        int ci16 = w.InFilter / c.BlockIn, co16 = w.OutFilter / c.BlockOut;
        int oh = w.OutHeight, ow = w.OutWidth, kh = w.KernelH, kw = w.KernelW;
        int h0 = oh / h1, w0 = ow / w1, co0 = co16 / co1, ciSteps = ci16 / ci1;
        var hBox = ((h1 - 1) * w.StrideH) + kh;
        var wBox = ((w1 - 1) * w.StrideW) + kw;
        var threads = ocThreads * hThreads;
        var padded = w.PadH > 0 || w.PadW > 0;

        // TVM's InjectDMAIntrin (lowering phase 1): every copy must be one 2-D transfer.
        DmaPattern inputPattern = default;
        if (padded)
        {
            if (ci1 > 1)
            {
                throw new CompileError(CompileErrorKind.DmaPattern,
                    $"the padded input tile spans {ci1} channel blocks, but VTA's DMA pads only the rows and columns of a 2-D transfer " +
                    "(\"Do not support pad on the innermost block\"): with padding, tile_ci's inner factor must be 1");
            }

            if (hBox == 1 || wBox == 1)
            {
                throw new CompileError(CompileErrorKind.DmaPattern,
                    $"the padded input tile is {hBox}×{wBox}: a padded load needs rows and columns (\"Limitation of 2D pad load\")");
            }
        }
        else
        {
            inputPattern = DmaPattern.Fold((ci1, (long)w.Height * w.Width), (hBox, w.Width), (wBox, 1))
                ?? throw new CompileError(CompileErrorKind.DmaPattern,
                    $"the input tile ({ci1} channel blocks × {hBox} rows × {wBox} columns of a {w.Height}×{w.Width} map) is not one 2-D transfer (\"cannot detect 2d pattern\")");
        }

        var weightPattern = DmaPattern.Fold((co1, (long)ci16 * kh * kw), (ci1, kh * kw), (kh, kw), (kw, 1))!.Value;
        var storePattern = DmaPattern.Fold((co1, (long)oh * ow), (h1, ow), (w1, 1))
            ?? throw new CompileError(CompileErrorKind.DmaPattern,
                $"the output tile ({co1} channel blocks × {h1} rows × {w1} columns of a {oh}×{ow} map) is not one 2-D store (\"cannot detect 2d pattern\")");

        // TVM's StorageRewrite: each scope's allocation against its size.
        var accTile = (co1 * h1 * w1) + co1;
        var plan = new SramPlan(ci1 * hBox * wBox, co1 * ci1 * kh * kw, accTile, threads,
            $"tile_ci·rows·cols = {ci1}·{hBox}·{wBox}", $"tile_co·tile_ci·kh·kw = {co1}·{ci1}·{kh}·{kw}",
            $"tile_co·tile_h·tile_w + tile_co (bias) = {co1}·{h1}·{w1} + {co1}");
        plan.Check(c);

        var b = new ProgramBuilder(board);
        var kernels = new ThreadKernels[threads];
        for (var t = 0; t < threads; t++)
        {
            kernels[t] = ThreadKernels.Create(b, t, w, h1, w1, ci1, co1, hBox, wBox, plan);
        }

        long tiles = 0;
        var active = new List<int>(threads);
        for (var n = 0; n < groups; n++)
        {
            for (var h0o = 0; h0o < (h0 + hThreads - 1) / hThreads; h0o++)
            {
                for (var co0o = 0; co0o < (co0 + ocThreads - 1) / ocThreads; co0o++)
                {
                    for (var w0i = 0; w0i < w0; w0i++)
                    {
                        // A virtual thread whose share of the split lies past the axis is guarded off.
                        active.Clear();
                        for (var t = 0; t < threads; t++)
                        {
                            if ((h0o * hThreads) + (t % hThreads) < h0 && (co0o * ocThreads) + (t / hThreads) < co0)
                            {
                                active.Add(t);
                            }
                        }

                        tiles += active.Count;
                        int RowTile(int t) => (h0o * hThreads) + (t % hThreads);
                        int CoStart(int t) => ((co0o * ocThreads) + (t / hThreads)) * co1;

                        foreach (var t in active)
                        {
                            b.BeginOp(VtaModule.Compute);
                            b.Add(MemoryInstruction.Load(MemoryType.Acc, (uint)kernels[t].BiasBase, (uint)((n * co16) + CoStart(t)), 1, (uint)co1, (uint)co1), SegmentKind.Bias);
                            b.EndOp(s_none, s_none);
                        }

                        foreach (var t in active)
                        {
                            b.BeginOp(VtaModule.Compute);
                            b.Gemm(kernels[t].Reset, kernels[t].ResetLoops, reset: true);
                            b.EndOp(s_none, [(SharedRegion.Out, t)]);
                        }

                        for (var step = 0; step < ciSteps; step++)
                        {
                            var cStart = step * ci1;
                            foreach (var t in active)
                            {
                                b.BeginOp(VtaModule.Load);
                                var dram = (((long)CoStart(t) * ci16) + cStart) * kh * kw;
                                b.Add(MemoryInstruction.Load(MemoryType.Wgt, (uint)kernels[t].WgtBase, (uint)dram,
                                    (uint)weightPattern.YSize, (uint)weightPattern.XSize, (uint)weightPattern.XStride), SegmentKind.Weight);
                                b.EndOp(s_none, [(SharedRegion.Wgt, t)]);
                            }

                            foreach (var t in active)
                            {
                                b.BeginOp(VtaModule.Load);
                                b.Add(InputLoad(w, kernels[t].InpBase, n, ci16, cStart, RowTile(t) * h1, w0i * w1, hBox, wBox, padded, inputPattern), SegmentKind.Data);
                                b.EndOp(s_none, [(SharedRegion.Inp, t)]);
                            }

                            foreach (var t in active)
                            {
                                b.BeginOp(VtaModule.Compute);
                                b.Gemm(kernels[t].Gemm, kernels[t].GemmLoops, reset: false);
                                b.EndOp([(SharedRegion.Inp, t), (SharedRegion.Wgt, t)], [(SharedRegion.Out, t)]);
                            }
                        }

                        Epilogue(b, active, kernels);
                        foreach (var t in active)
                        {
                            b.BeginOp(VtaModule.Store);
                            var dram = ((((long)n * co16) + CoStart(t)) * oh * ow) + ((long)RowTile(t) * h1 * ow) + (w0i * w1);
                            b.Add(MemoryInstruction.Store((uint)kernels[t].AccBase, (uint)dram,
                                (uint)storePattern.YSize, (uint)storePattern.XSize, (uint)storePattern.XStride), SegmentKind.Output);
                            b.EndOp([(SharedRegion.Out, t)], s_none);
                        }
                    }
                }
            }
        }

        var image = b.Finish(new Dictionary<SegmentKind, long>
        {
            [SegmentKind.Data] = (long)groups * ci16 * w.Height * w.Width * c.InpElemBytes,
            [SegmentKind.Weight] = (long)co16 * ci16 * kh * kw * c.WgtElemBytes,
            [SegmentKind.Bias] = (long)groups * co16 * c.AccElemBytes,
            [SegmentKind.Output] = (long)groups * co16 * oh * ow * c.OutElemBytes,
        });
        var features = CompileFeatures.From(b.Count, plan.Use(c, b.Count.UopHighWater, image.MicroOps.Length), threads, tiles,
            w.MultiplyAccumulates, board.Fabric.SecondsPerCycle);
        return (image, features);
    }

    /// <summary>The epilogue on the ALU, statement by statement across the active threads: >> 8, + bias, min 127, max 0.</summary>
    private static void Epilogue(ProgramBuilder b, List<int> active, ThreadKernels[] kernels)
    {
        foreach (var (op, imm, stage) in new[] { (AluOpcode.Shr, 8, 0), (AluOpcode.Add, 0, 1), (AluOpcode.Min, 127, 2), (AluOpcode.Max, 0, 3) })
        {
            foreach (var t in active)
            {
                b.BeginOp(VtaModule.Compute);
                var (kernel, loops) = kernels[t].Alu[stage];
                b.Alu(kernel, loops, op, useImm: op != AluOpcode.Add, imm);
                b.EndOp(s_none, [(SharedRegion.Out, t)]);
            }
        }
    }

    /// <summary>
    /// The input tile of one channel block (padded) or of tile_ci blocks (unpadded): rows and columns of the
    /// padded input the tile's outputs read; the part outside the image becomes load padding.
    /// </summary>
    private static MemoryInstruction InputLoad(Conv2dWorkload w, int sramBase, int n, int ci16, int cStart, int outRow, int outCol,
        int hBox, int wBox, bool padded, DmaPattern unpadded)
    {
        var rowStart = outRow * w.StrideH;
        var colStart = outCol * w.StrideW;
        var channel = ((long)n * ci16) + cStart;
        if (!padded)
        {
            var dram = (((channel * w.Height) + rowStart) * w.Width) + colStart;
            return MemoryInstruction.Load(MemoryType.Inp, (uint)sramBase, (uint)dram, (uint)unpadded.YSize, (uint)unpadded.XSize, (uint)unpadded.XStride);
        }

        // Box rows [rowStart, rowStart + hBox) in padded coordinates; image rows are those minus the padding.
        var yPad0 = Math.Max(0, w.PadH - rowStart);
        var yPad1 = Math.Max(0, rowStart + hBox - (w.Height + w.PadH));
        var xPad0 = Math.Max(0, w.PadW - colStart);
        var xPad1 = Math.Max(0, colStart + wBox - (w.Width + w.PadW));
        var ySize = hBox - yPad0 - yPad1;
        var xSize = wBox - xPad0 - xPad1;
        if (ySize <= 0 || xSize <= 0)
        {
            throw new CompileError(CompileErrorKind.DmaPattern, $"an input tile lies wholly in the padding ({ySize}×{xSize} image elements)");
        }

        var dramPadded = (((channel * w.Height) + (rowStart + yPad0 - w.PadH)) * w.Width) + (colStart + xPad0 - w.PadW);
        return MemoryInstruction.Load(MemoryType.Inp, (uint)sramBase, (uint)dramPadded, (uint)ySize, (uint)xSize, (uint)w.Width,
            yPad0: (uint)yPad0, yPad1: (uint)yPad1, xPad0: (uint)xPad0, xPad1: (uint)xPad1);
    }

    /// <summary>One virtual thread's SRAM bases and its micro-op kernels (each call site has its own, as in the runtime).</summary>
    private sealed record ThreadKernels(int InpBase, int WgtBase, int AccBase, int BiasBase,
        int Reset, MicroOpLoops ResetLoops, int Gemm, MicroOpLoops GemmLoops, (int Kernel, MicroOpLoops Loops)[] Alu)
    {
        public static ThreadKernels Create(ProgramBuilder b, int t, Conv2dWorkload w, int h1, int w1, int ci1, int co1, int hBox, int wBox, SramPlan plan)
        {
            int kh = w.KernelH, kw = w.KernelW;
            var inpBase = t * plan.InpTile;
            var wgtBase = t * plan.WgtTile;
            var accBase = t * plan.AccTile;
            var biasBase = accBase + (co1 * h1 * w1);

            // The accumulator reset loops over the tile's columns, channel blocks and rows (TVM's reduction init).
            var reset = MicroOpLoops.FoldGemm([new(w1, 1, 0), new(co1, h1 * w1, 0), new(h1, w1, 0)], accBase, 0, 0);

            // The conv stage's loops inside one tile_ci step: ci, w, kw, kh, co, h around the 1×BLOCK·BLOCK×BLOCK intrinsic.
            var gemm = MicroOpLoops.FoldGemm(
            [
                new(ci1, 0, hBox * wBox, kh * kw),
                new(w1, 1, w.StrideW, 0),
                new(kw, 0, 1, 1),
                new(kh, 0, wBox, kw),
                new(co1, h1 * w1, 0, ci1 * kh * kw),
                new(h1, w1, w.StrideH * wBox, 0),
            ], accBase, inpBase, wgtBase);

            Loop[] inPlace = [new(co1, h1 * w1, h1 * w1), new(h1, w1, w1), new(w1, 1, 1)];
            Loop[] biasAdd = [new(co1, h1 * w1, 1), new(h1, w1, 0), new(w1, 1, 0)];
            var alu = new (int, MicroOpLoops)[4];
            string[] names = ["shr", "add", "min", "max"];
            for (var s = 0; s < 4; s++)
            {
                var loops = s == 1 ? MicroOpLoops.FlattenAlu(biasAdd, accBase, biasBase) : MicroOpLoops.FlattenAlu(inPlace, accBase, accBase);
                alu[s] = (b.AddKernel($"alu {names[s]} thread {t}", loops.Uops), loops);
            }

            return new ThreadKernels(inpBase, wgtBase, accBase, biasBase,
                b.AddKernel($"gemm reset thread {t}", reset.Uops), reset, b.AddKernel($"gemm thread {t}", gemm.Uops), gemm, alu);
        }
    }
}
