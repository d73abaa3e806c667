namespace HilTuner.Vta.Config;

/// <summary>Physical base addresses of the four VTA modules' control registers (one 0x1000 window each).</summary>
/// <remarks>On the Chisel build (DE10-Nano) the single VCR block sits at <see cref="Fetch"/>.</remarks>
public sealed record RegisterMap(ulong Fetch, ulong Load, ulong Compute, ulong Store)
{
    /// <summary>Size of each module's register window.</summary>
    public const ulong WindowBytes = 0x1000;
}
