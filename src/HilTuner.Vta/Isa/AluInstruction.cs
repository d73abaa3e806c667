namespace HilTuner.Vta.Isa;

/// <summary>
/// ALU (<c>VTAAluInsn</c>): the same two-level micro-op loop as GEMM, applying <see cref="AluOpcode"/> lane by
/// lane to an accumulator element and either another accumulator element or the sign-extended immediate.
/// </summary>
public readonly record struct AluInstruction(
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
    AluOpcode AluOpcode,
    bool UseImm,
    short Imm)
{
    /// <summary>Micro-op iterations the instruction executes.</summary>
    public long UopIterations => UopEnd > UopBgn ? (long)IterOut * IterIn * (UopEnd - UopBgn) : 0;

    public InstructionWord Encode(IsaLayout layout)
    {
        var w = layout.EncodeHeader(Opcode.Alu, Dependencies);
        w = layout.ResetReg.Insert(w, ResetReg ? 1 : 0);
        w = layout.UopBgn.Insert(w, UopBgn);
        w = layout.UopEnd.Insert(w, UopEnd);
        w = layout.IterOut.Insert(w, IterOut);
        w = layout.IterIn.Insert(w, IterIn);
        w = layout.DstFactorOut.Insert(w, DstFactorOut);
        w = layout.DstFactorIn.Insert(w, DstFactorIn);
        w = layout.AluSrcFactorOut.Insert(w, SrcFactorOut);
        w = layout.AluSrcFactorIn.Insert(w, SrcFactorIn);
        w = layout.AluOpcode.Insert(w, (long)AluOpcode);
        w = layout.UseImm.Insert(w, UseImm ? 1 : 0);
        return layout.Imm.Insert(w, Imm);
    }

    public static AluInstruction Decode(IsaLayout layout, InstructionWord w) => new(
        layout.DecodeDependencies(w),
        layout.ResetReg.Extract(w) != 0,
        (uint)layout.UopBgn.Extract(w),
        (uint)layout.UopEnd.Extract(w),
        (uint)layout.IterOut.Extract(w),
        (uint)layout.IterIn.Extract(w),
        (uint)layout.DstFactorOut.Extract(w),
        (uint)layout.DstFactorIn.Extract(w),
        (uint)layout.AluSrcFactorOut.Extract(w),
        (uint)layout.AluSrcFactorIn.Extract(w),
        (AluOpcode)layout.AluOpcode.Extract(w),
        layout.UseImm.Extract(w) != 0,
        (short)layout.Imm.Extract(w));
}
