using HilTuner.Vta.Isa;

namespace HilTuner.Compiler.Lowering;

/// <summary>
/// A micro-op kernel with its loop nest as the GEMM or ALU instruction carries it: up to two loops
/// (iter_out, iter_in) with their index factors, and the micro-ops executed in each iteration.
/// </summary>
internal sealed record MicroOpLoops(Loop Outer, Loop Inner, MicroOp[] Uops)
{
    /// <summary>
    /// VTA's GEMM lowering: loops of extent 1 disappear, the two outermost remaining loops become the uop loop
    /// nest (TVM's <c>FoldUopLoop</c> folds loops linear in the indices, which every loop here is), and the rest
    /// are unrolled into micro-ops in nest order.
    /// </summary>
    public static MicroOpLoops FoldGemm(IEnumerable<Loop> loops, int dstBase, int srcBase, int wgtBase)
    {
        var live = loops.Where(l => l.Extent > 1).ToList();
        var outer = live.Count > 0 ? live[0] : new Loop(1, 0, 0);
        var inner = live.Count > 1 ? live[1] : new Loop(1, 0, 0);
        var rest = live.Skip(2).ToList();
        var count = rest.Aggregate(1, (n, l) => n * l.Extent);
        var uops = new MicroOp[count];
        var index = new int[rest.Count];
        for (var u = 0; u < count; u++)
        {
            long dst = dstBase, src = srcBase, wgt = wgtBase;
            for (var k = 0; k < rest.Count; k++)
            {
                dst += (long)index[k] * rest[k].Dst;
                src += (long)index[k] * rest[k].Src;
                wgt += (long)index[k] * rest[k].Wgt;
            }

            uops[u] = new MicroOp((uint)dst, (uint)src, (uint)wgt);
            for (var k = rest.Count - 1; k >= 0; k--)
            {
                if (++index[k] < rest[k].Extent)
                {
                    break;
                }

                index[k] = 0;
            }
        }

        return new MicroOpLoops(outer, inner, uops);
    }

    /// <summary>
    /// VTA's ALU lowering (<c>InjectALUIntrin</c>): adjacent loops whose steps are contiguous in both source
    /// and destination merge into one; the remaining loops (outermost first) form the loop nest around a single
    /// micro-op. The runtime accepts at most two.
    /// </summary>
    public static MicroOpLoops FlattenAlu(IReadOnlyList<Loop> loops, int dstBase, int srcBase)
    {
        var live = loops.Where(l => l.Extent > 1).ToList();
        var merged = new List<Loop>();
        for (var i = live.Count - 1; i >= 0; i--)
        {
            var l = live[i];
            if (merged.Count > 0 && l.Dst == merged[^1].Dst * merged[^1].Extent && l.Src == merged[^1].Src * merged[^1].Extent)
            {
                merged[^1] = merged[^1] with { Extent = merged[^1].Extent * l.Extent };
            }
            else
            {
                merged.Add(l);
            }
        }

        merged.Reverse();
        if (merged.Count > 2)
        {
            throw new InvalidOperationException($"an ALU loop nest of depth {merged.Count}: VTA's runtime supports two");
        }

        var outer = merged.Count > 0 ? merged[0] : new Loop(1, 0, 0);
        var inner = merged.Count > 1 ? merged[1] : new Loop(1, 0, 0);
        return new MicroOpLoops(outer, inner, [new MicroOp((uint)dstBase, (uint)srcBase, 0)]);
    }

    /// <summary>Micro-op iterations the instruction executes.</summary>
    public long Iterations => (long)Outer.Extent * Inner.Extent * Uops.Length;
}
