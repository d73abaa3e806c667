namespace HilTuner.Vta.Isa;

/// <summary>
/// A 32-bit micro-op (<c>VTAUop</c>): accumulator index, source index (input buffer for GEMM, accumulator
/// for ALU) and weight index (ignored by ALU).
/// </summary>
public readonly record struct MicroOp(uint DstIdx, uint SrcIdx, uint WgtIdx = 0)
{
    /// <param name="truncate">Keep each value's low bits, as VTA's runtime does (see <see cref="BitField.Insert(InstructionWord, long, bool)"/>); otherwise a value too wide throws.</param>
    public uint Encode(IsaLayout layout, bool truncate = false)
    {
        var word = layout.DstIdx.Insert(0u, DstIdx, truncate);
        word = layout.SrcIdx.Insert(word, SrcIdx, truncate);
        return layout.WgtIdx.Insert(word, WgtIdx, truncate);
    }

    public static MicroOp Decode(IsaLayout layout, uint word) =>
        new((uint)layout.DstIdx.Extract(word), (uint)layout.SrcIdx.Extract(word), (uint)layout.WgtIdx.Extract(word));
}
