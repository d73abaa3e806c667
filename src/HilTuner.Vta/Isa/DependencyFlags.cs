namespace HilTuner.Vta.Isa;

/// <summary>
/// The four dependency bits every instruction carries. "Prev" and "next" are relative to the module that
/// executes the instruction: for compute, prev is load and next is store.
/// </summary>
[Flags]
public enum DependencyFlags : byte
{
    None = 0,
    PopPrev = 1,
    PopNext = 2,
    PushPrev = 4,
    PushNext = 8,
}
