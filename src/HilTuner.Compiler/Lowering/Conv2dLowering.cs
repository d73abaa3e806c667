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

    /// <summary>The epilogue's ALU operations: shift right by 8, add the bias, clip to [0, 127].</summary>
    internal static readonly (AluOpcode Op, int Imm, int Stage)[] s_epilogue =
        [(AluOpcode.Shr, 8, 0), (AluOpcode.Add, 0, 1), (AluOpcode.Min, 127, 2), (AluOpcode.Max, 0, 3)];

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

        var tileCount = (long)groups * h0 * co0 * w0;
        var b = new ProgramBuilder(board, (int)Math.Min(1 << 26, tileCount * ((3L * ciSteps) + 8)));
        var kernels = new ThreadKernels[threads];
        for (var t = 0; t < threads; t++)
        {
            kernels[t] = ThreadKernels.Create(b, t, w, h1, w1, ci1, co1, hBox, wBox, plan);
        }

        b.LayOut(new Dictionary<SegmentKind, long>
        {
            [SegmentKind.Data] = (long)groups * ci16 * w.Height * w.Width * c.InpElemBytes,
            [SegmentKind.Weight] = (long)co16 * ci16 * kh * kw * c.WgtElemBytes,
            [SegmentKind.Bias] = (long)groups * co16 * c.AccElemBytes,
            [SegmentKind.Output] = (long)groups * co16 * oh * ow * c.OutElemBytes,
        });
        var bias = new MemoryTemplate[threads];
        var weights = new MemoryTemplate[threads];
        var stores = new MemoryTemplate[threads];
        var inputs = new Dictionary<(int, int, int, int, int), MemoryTemplate>();
        for (var t = 0; t < threads; t++)
        {
            bias[t] = b.Template(MemoryInstruction.Load(MemoryType.Acc, (uint)kernels[t].BiasBase, 0, 1, (uint)co1, (uint)co1), SegmentKind.Bias);
            weights[t] = b.Template(MemoryInstruction.Load(MemoryType.Wgt, (uint)kernels[t].WgtBase, 0,
                (uint)weightPattern.YSize, (uint)weightPattern.XSize, (uint)weightPattern.XStride), SegmentKind.Weight);
            stores[t] = b.Template(MemoryInstruction.Store((uint)kernels[t].AccBase, 0,
                (uint)storePattern.YSize, (uint)storePattern.XSize, (uint)storePattern.XStride), SegmentKind.Output);
        }

        long tiles = 0;
        var active = new List<int>(threads);
        var input = new MemoryTemplate[threads];
        var inputElement = new long[threads];
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
                                var rowTile = (h0o * hThreads) + (t % hThreads);
                                (input[t], inputElement[t]) = InputLoad(b, inputs, w, t, kernels[t].InpBase, n, ci16, rowTile * h1, w0i * w1, hBox, wBox, padded, inputPattern);
                            }
                        }

                        tiles += active.Count;
                        foreach (var t in active)
                        {
                            b.BeginOp(VtaModule.Compute);
                            b.Add(bias[t], (n * co16) + CoStart(co0o, t));
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
                                b.Add(weights[t], (((long)CoStart(co0o, t) * ci16) + cStart) * kh * kw);
                                b.EndOp(s_none, [(SharedRegion.Wgt, t)]);
                            }

                            foreach (var t in active)
                            {
                                b.BeginOp(VtaModule.Load);
                                b.Add(input[t], inputElement[t] + ((long)cStart * w.Height * w.Width));
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
                            var rowTile = (h0o * hThreads) + (t % hThreads);
                            b.Add(stores[t], ((((long)n * co16) + CoStart(co0o, t)) * oh * ow) + ((long)rowTile * h1 * ow) + (w0i * w1));
                            b.EndOp([(SharedRegion.Out, t)], s_none);
                        }
                    }
                }
            }
        }

        int CoStart(int co0o, int t) => ((co0o * ocThreads) + (t / hThreads)) * co1;

        var image = b.Finish();
        var features = CompileFeatures.From(b.Count, plan.Use(c, b.Count.UopHighWater, image.MicroOps.Length), threads, tiles,
            w.MultiplyAccumulates, new Vta.Timing.TimingModel(board));
        return (image, features);
    }

    /// <summary>The epilogue on the ALU, statement by statement across the active threads: >> 8, + bias, min 127, max 0.</summary>
    private static void Epilogue(ProgramBuilder b, List<int> active, ThreadKernels[] kernels)
    {
        foreach (var (op, imm, stage) in s_epilogue)
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
    /// The input tile of one channel block (padded) or of tile_ci blocks (unpadded) for the tile whose outputs
    /// start at (<paramref name="outRow"/>, <paramref name="outCol"/>): rows and columns of the padded input the
    /// tile reads; the part outside the image becomes load padding. Returns the load for the first channel
    /// block (shared by every tile with the same padding) and its DRAM element.
    /// </summary>
    private static (MemoryTemplate Load, long Element) InputLoad(ProgramBuilder b, Dictionary<(int, int, int, int, int), MemoryTemplate> templates,
        Conv2dWorkload w, int thread, int sramBase, int n, int ci16, int outRow, int outCol, int hBox, int wBox, bool padded, DmaPattern unpadded)
    {
        var rowStart = outRow * w.StrideH;
        var colStart = outCol * w.StrideW;
        var channel = (long)n * ci16;
        var (yPad0, yPad1, xPad0, xPad1) = padded
            ? (Math.Max(0, w.PadH - rowStart), Math.Max(0, rowStart + hBox - (w.Height + w.PadH)),
               Math.Max(0, w.PadW - colStart), Math.Max(0, colStart + wBox - (w.Width + w.PadW)))
            : (0, 0, 0, 0);
        var element = (((channel * w.Height) + (rowStart + yPad0 - w.PadH)) * w.Width) + (colStart + xPad0 - w.PadW);
        var key = (thread, yPad0, yPad1, xPad0, xPad1);
        if (!templates.TryGetValue(key, out var template))
        {
            MemoryInstruction load;
            if (padded)
            {
                // Box rows [rowStart, rowStart + hBox) in padded coordinates; image rows are those minus the padding.
                var ySize = hBox - yPad0 - yPad1;
                var xSize = wBox - xPad0 - xPad1;
                if (ySize <= 0 || xSize <= 0)
                {
                    throw new CompileError(CompileErrorKind.DmaPattern, $"an input tile lies wholly in the padding ({ySize}×{xSize} image elements)");
                }

                load = MemoryInstruction.Load(MemoryType.Inp, (uint)sramBase, 0, (uint)ySize, (uint)xSize, (uint)w.Width,
                    yPad0: (uint)yPad0, yPad1: (uint)yPad1, xPad0: (uint)xPad0, xPad1: (uint)xPad1);
            }
            else
            {
                load = MemoryInstruction.Load(MemoryType.Inp, (uint)sramBase, 0, (uint)unpadded.YSize, (uint)unpadded.XSize, (uint)unpadded.XStride);
            }

            template = b.Template(load, SegmentKind.Data);
            templates[key] = template;
        }

        return (template, element);
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
