namespace HilTuner.Vta.Isa;

/// <summary>
/// GEMM (<c>VTAGemInsn</c>): a two-level loop over the micro-ops <c>[uop_bgn, uop_end)</c>; each adds the product
/// of an input vector and a weight matrix into an accumulator (or clears it with <see cref="MicroOpLoop.ResetReg"/>).
/// Index of every operand = micro-op index + outer iteration × factor_out + inner iteration × factor_in.
/// </summary>
/// <param name="Loop">The micro-op loop, shared in shape with ALU (its fields read on the instruction too, see <see cref="MicroOpLoopFields"/>).</param>
public readonly record struct GemmInstruction(
    DependencyFlags Dependencies,
    MicroOpLoop Loop,
    uint SrcFactorOut,
    uint SrcFactorIn,
    uint WgtFactorOut,
    uint WgtFactorIn) : IMicroOpLoopInstruction
{
    /// <param name="truncate">Keep each value's low bits, as VTA's runtime does (see <see cref="BitField.Insert(InstructionWord, long, bool)"/>); otherwise a value too wide throws.</param>
    public InstructionWord Encode(IsaLayout layout, bool truncate = false)
    {
        var w = Loop.Insert(layout, layout.EncodeHeader(Opcode.Gemm, Dependencies), truncate);
        return BitField.InsertAll(w, truncate, (layout.GemmSrcFactorOut, SrcFactorOut), (layout.GemmSrcFactorIn, SrcFactorIn),
            (layout.WgtFactorOut, WgtFactorOut), (layout.WgtFactorIn, WgtFactorIn));
    }

    public static GemmInstruction Decode(IsaLayout layout, InstructionWord w) => new(
        layout.DecodeDependencies(w),
        MicroOpLoop.Extract(layout, w),
        (uint)layout.GemmSrcFactorOut.Extract(w),
        (uint)layout.GemmSrcFactorIn.Extract(w),
        (uint)layout.WgtFactorOut.Extract(w),
        (uint)layout.WgtFactorIn.Extract(w));
}
