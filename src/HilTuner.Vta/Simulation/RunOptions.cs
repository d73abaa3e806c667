namespace HilTuner.Vta.Simulation;

/// <summary>Options of one simulated run.</summary>
public sealed record RunOptions
{
    /// <summary>Stop with <see cref="RunStatus.CycleLimitExceeded"/> once simulated time passes this many cycles.</summary>
    public long MaxCycles { get; init; } = 1L << 40;

    /// <summary>Report every pair of accesses to one SRAM element that no dependency token orders (off by default).</summary>
    public bool CheckRaces { get; init; }

    /// <summary>
    /// Bytes of micro-op kernels the host copies into DRAM before the launch (the runtime copies every kernel the
    /// program uses at every call): part of the host side of <see cref="RunResult.BoardSeconds"/>.
    /// </summary>
    public long HostMicroOpBytes { get; init; }

    public static RunOptions Default { get; } = new();
}
