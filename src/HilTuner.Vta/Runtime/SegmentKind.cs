namespace HilTuner.Vta.Runtime;

/// <summary>What a region of a program's DRAM arena holds.</summary>
public enum SegmentKind
{
    Instructions,
    MicroOps,
    Data,
    Weight,
    Bias,
    Output,
}
