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
        return BitField.InsertAll(word, truncate, (layout.ResetReg, ResetReg ? 1 : 0), (layout.UopBgn, UopBgn), (layout.UopEnd, UopEnd),
            (layout.IterOut, IterOut), (layout.IterIn, IterIn), (layout.DstFactorOut, DstFactorOut), (layout.DstFactorIn, DstFactorIn));
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
