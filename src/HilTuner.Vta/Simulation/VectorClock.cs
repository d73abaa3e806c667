namespace HilTuner.Vta.Simulation;

/// <summary>
/// Vector clocks over the three executing modules (load, compute, store) for the race checker: an access
/// happens-before another when program order and dependency tokens order them; nothing else orders them.
/// </summary>
internal static class VectorClock
{
    public const int Width = 3;

    public static int IndexOf(Isa.VtaModule module) => module switch
    {
        Isa.VtaModule.Load => 0,
        Isa.VtaModule.Compute => 1,
        Isa.VtaModule.Store => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(module)),
    };

    public static void Join(Span<int> into, ReadOnlySpan<int> other)
    {
        for (var i = 0; i < Width; i++)
        {
            into[i] = Math.Max(into[i], other[i]);
        }
    }
}
