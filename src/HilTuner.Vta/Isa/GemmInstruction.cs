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
    public InstructionWord Encode(IsaLayout layout)
    {
        var w = Loop.Insert(layout, layout.EncodeHeader(Opcode.Gemm, Dependencies));
        w = layout.GemmSrcFactorOut.Insert(w, SrcFactorOut);
        w = layout.GemmSrcFactorIn.Insert(w, SrcFactorIn);
        w = layout.WgtFactorOut.Insert(w, WgtFactorOut);
        return layout.WgtFactorIn.Insert(w, WgtFactorIn);
    }

    public static GemmInstruction Decode(IsaLayout layout, InstructionWord w) => new(
        layout.DecodeDependencies(w),
        MicroOpLoop.Extract(layout, w),
        (uint)layout.GemmSrcFactorOut.Extract(w),
        (uint)layout.GemmSrcFactorIn.Extract(w),
        (uint)layout.WgtFactorOut.Extract(w),
        (uint)layout.WgtFactorIn.Extract(w));
}
