namespace HilTuner.Vta.Isa;

/// <summary>
/// ALU (<c>VTAAluInsn</c>): the same two-level micro-op loop as GEMM, applying <see cref="AluOpcode"/> lane by
/// lane to an accumulator element and either another accumulator element or the sign-extended immediate.
/// </summary>
/// <param name="Loop">The micro-op loop, shared in shape with GEMM (its fields read on the instruction too, see <see cref="MicroOpLoopFields"/>).</param>
public readonly record struct AluInstruction(
    DependencyFlags Dependencies,
    MicroOpLoop Loop,
    uint SrcFactorOut,
    uint SrcFactorIn,
    AluOpcode AluOpcode,
    bool UseImm,
    short Imm) : IMicroOpLoopInstruction
{
    /// <param name="truncate">Keep each value's low bits, as VTA's runtime does (see <see cref="BitField.Insert(InstructionWord, long, bool)"/>); otherwise a value too wide throws.</param>
    public InstructionWord Encode(IsaLayout layout, bool truncate = false)
    {
        var w = Loop.Insert(layout, layout.EncodeHeader(Opcode.Alu, Dependencies), truncate);
        return BitField.InsertAll(w, truncate, (layout.AluSrcFactorOut, SrcFactorOut), (layout.AluSrcFactorIn, SrcFactorIn),
            (layout.AluOpcode, (long)AluOpcode), (layout.UseImm, UseImm ? 1 : 0), (layout.Imm, Imm));
    }

    public static AluInstruction Decode(IsaLayout layout, InstructionWord w) => new(
        layout.DecodeDependencies(w),
        MicroOpLoop.Extract(layout, w),
        (uint)layout.AluSrcFactorOut.Extract(w),
        (uint)layout.AluSrcFactorIn.Extract(w),
        (AluOpcode)layout.AluOpcode.Extract(w),
        layout.UseImm.Extract(w) != 0,
        (short)layout.Imm.Extract(w));
}
