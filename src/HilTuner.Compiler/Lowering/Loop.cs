namespace HilTuner.Compiler.Lowering;

/// <summary>
/// One loop around a tensor intrinsic: its extent and how one step moves the accumulator (dst), input /
/// source (src) and weight (wgt) indices, in SRAM elements.
/// </summary>
internal readonly record struct Loop(int Extent, int Dst, int Src, int Wgt = 0);
