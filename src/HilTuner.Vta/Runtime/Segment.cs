namespace HilTuner.Vta.Runtime;

/// <summary>A region of a program's DRAM arena: its byte offset from the arena's start and its length.</summary>
public sealed record Segment(SegmentKind Kind, long Offset, long Length)
{
    public long End => Offset + Length;
}
