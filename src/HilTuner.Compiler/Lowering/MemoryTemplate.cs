using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler.Lowering;

/// <summary>
/// A LOAD or STORE encoded once with <c>dram_base</c> 0, and what one such instruction adds to the program's
/// counts: emitting it again only patches its DRAM address.
/// </summary>
internal readonly record struct MemoryTemplate(InstructionWord Word, SegmentKind Segment, MemoryType Type, long Bytes, long Cycles)
{
    /// <summary>DMA rows the instruction moves (its <c>y_size</c>; none for a synchronisation-only one).</summary>
    public long Rows { get; init; }
}
