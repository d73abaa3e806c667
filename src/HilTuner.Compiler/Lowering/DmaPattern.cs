namespace HilTuner.Compiler.Lowering;

/// <summary>
/// The one 2-D transfer a copy must become (<c>VTALoadBuffer2D</c> / <c>VTAStoreBuffer2D</c>): rows of
/// <see cref="XSize"/> elements, <see cref="XStride"/> elements apart in DRAM, <see cref="YSize"/> rows.
/// </summary>
internal readonly record struct DmaPattern(int YSize, int XSize, int XStride)
{
    /// <summary>
    /// Folds a region given as dimensions (extent, DRAM stride in elements), outermost first, the way VTA's
    /// <c>InjectDMAIntrin</c> folds the DRAM side of a copy: dimensions of extent 1 vanish, and a dimension
    /// merges into the one inside it when its stride equals that one's extent times its stride. Null when more
    /// than two runs remain or the innermost is not contiguous.
    /// </summary>
    public static DmaPattern? Fold(params (int Extent, long Stride)[] dims)
    {
        var runs = new List<(long Extent, long Stride)>();
        for (var i = dims.Length - 1; i >= 0; i--)
        {
            var (extent, stride) = dims[i];
            if (extent == 1)
            {
                continue;
            }

            if (runs.Count > 0 && stride == runs[^1].Extent * runs[^1].Stride)
            {
                runs[^1] = (runs[^1].Extent * extent, runs[^1].Stride);
            }
            else
            {
                runs.Add((extent, stride));
            }
        }

        return runs.Count switch
        {
            0 => new DmaPattern(1, 1, 1),
            1 when runs[0].Stride == 1 => new DmaPattern(1, (int)runs[0].Extent, (int)runs[0].Extent),
            1 => new DmaPattern((int)runs[0].Extent, 1, (int)runs[0].Stride),
            2 when runs[0].Stride == 1 => new DmaPattern((int)runs[1].Extent, (int)runs[0].Extent, (int)runs[1].Stride),
            _ => null,
        };
    }
}
