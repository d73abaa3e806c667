namespace HilTuner.Vta.Isa;

/// <summary>
/// GEMM (<c>VTAGemInsn</c>): a two-level loop over the micro-ops <c>[uop_bgn, uop_end)</c>; each adds the product
/// of an input vector and a weight matrix into an accumulator (or clears it with <see cref="ResetReg"/>).
/// Index of every operand = micro-op index + outer iteration × factor_out + inner iteration × factor_in.
/// </summary>
public readonly record struct GemmInstruction(
    DependencyFlags Dependencies,
    bool ResetReg,
    uint UopBgn,
    uint UopEnd,
    uint IterOut,
    uint IterIn,
    uint DstFactorOut,
    uint DstFactorIn,
    uint SrcFactorOut,
    uint SrcFactorIn,
    uint WgtFactorOut,
    uint WgtFactorIn)
{
    /// <summary>Micro-op iterations the instruction executes.</summary>
    public long UopIterations => UopEnd > UopBgn ? (long)IterOut * IterIn * (UopEnd - UopBgn) : 0;

    public InstructionWord Encode(IsaLayout layout)
    {
        var w = layout.EncodeHeader(Opcode.Gemm, Dependencies);
        w = layout.ResetReg.Insert(w, ResetReg ? 1 : 0);
        w = layout.UopBgn.Insert(w, UopBgn);
        w = layout.UopEnd.Insert(w, UopEnd);
        w = layout.IterOut.Insert(w, IterOut);
        w = layout.IterIn.Insert(w, IterIn);
        w = layout.DstFactorOut.Insert(w, DstFactorOut);
        w = layout.DstFactorIn.Insert(w, DstFactorIn);
        w = layout.GemmSrcFactorOut.Insert(w, SrcFactorOut);
        w = layout.GemmSrcFactorIn.Insert(w, SrcFactorIn);
        w = layout.WgtFactorOut.Insert(w, WgtFactorOut);
        return layout.WgtFactorIn.Insert(w, WgtFactorIn);
    }

    public static GemmInstruction Decode(IsaLayout layout, InstructionWord w) => new(
        layout.DecodeDependencies(w),
        layout.ResetReg.Extract(w) != 0,
        (uint)layout.UopBgn.Extract(w),
        (uint)layout.UopEnd.Extract(w),
        (uint)layout.IterOut.Extract(w),
        (uint)layout.IterIn.Extract(w),
        (uint)layout.DstFactorOut.Extract(w),
        (uint)layout.DstFactorIn.Extract(w),
        (uint)layout.GemmSrcFactorOut.Extract(w),
        (uint)layout.GemmSrcFactorIn.Extract(w),
        (uint)layout.WgtFactorOut.Extract(w),
        (uint)layout.WgtFactorIn.Extract(w));
}
