namespace HilTuner.Vta.Isa;

/// <summary>
/// A 32-bit micro-op (<c>VTAUop</c>): accumulator index, source index (input buffer for GEMM, accumulator
/// for ALU) and weight index (ignored by ALU).
/// </summary>
public readonly record struct MicroOp(uint DstIdx, uint SrcIdx, uint WgtIdx = 0)
{
    public uint Encode(IsaLayout layout)
    {
        var word = layout.DstIdx.Insert(0u, DstIdx);
        word = layout.SrcIdx.Insert(word, SrcIdx);
        return layout.WgtIdx.Insert(word, WgtIdx);
    }

    public static MicroOp Decode(IsaLayout layout, uint word) =>
        new((uint)layout.DstIdx.Extract(word), (uint)layout.SrcIdx.Extract(word), (uint)layout.WgtIdx.Extract(word));
}
