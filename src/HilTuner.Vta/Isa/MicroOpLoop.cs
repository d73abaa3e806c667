namespace HilTuner.Vta.Isa;

/// <summary>
/// The two-level micro-op loop GEMM and ALU share: VTA's <c>VTAGemInsn</c> and <c>VTAAluInsn</c> open with the same
/// fields (reset, <c>[uop_bgn, uop_end)</c>, the two iteration counts and the destination factors), encoded in the same
/// places of the instruction word.
/// </summary>
public readonly record struct MicroOpLoop(
    bool ResetReg,
    uint UopBgn,
    uint UopEnd,
    uint IterOut,
    uint IterIn,
    uint DstFactorOut,
    uint DstFactorIn)
{
    /// <summary>Micro-op iterations the loop executes.</summary>
    public long Iterations => UopEnd > UopBgn ? (long)IterOut * IterIn * (UopEnd - UopBgn) : 0;

    /// <summary>Writes the loop's fields into <paramref name="word"/>.</summary>
    /// <param name="truncate">Keep each value's low bits, as VTA's runtime does; otherwise a value too wide throws.</param>
    public InstructionWord Insert(IsaLayout layout, InstructionWord word, bool truncate = false)
    {
        word = layout.ResetReg.Insert(word, ResetReg ? 1 : 0);
        word = layout.UopBgn.Insert(word, UopBgn, truncate);
        word = layout.UopEnd.Insert(word, UopEnd, truncate);
        word = layout.IterOut.Insert(word, IterOut, truncate);
        word = layout.IterIn.Insert(word, IterIn, truncate);
        word = layout.DstFactorOut.Insert(word, DstFactorOut, truncate);
        return layout.DstFactorIn.Insert(word, DstFactorIn, truncate);
    }

    /// <summary>Reads the loop's fields from <paramref name="word"/>.</summary>
    public static MicroOpLoop Extract(IsaLayout layout, InstructionWord word) => new(
        layout.ResetReg.Extract(word) != 0,
        (uint)layout.UopBgn.Extract(word),
        (uint)layout.UopEnd.Extract(word),
        (uint)layout.IterOut.Extract(word),
        (uint)layout.IterIn.Extract(word),
        (uint)layout.DstFactorOut.Extract(word),
        (uint)layout.DstFactorIn.Extract(word));
}
