using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>The outcome of one simulated run.</summary>
public sealed record RunResult
{
    public required RunStatus Status { get; init; }

    /// <summary>Cycle at which the run ended: FINISH executed, the hang was certain, the fault happened, or the budget ran out.</summary>
    public required long Cycles { get; init; }

    /// <summary>Board time of the run: <see cref="Cycles"/> at the fabric clock, plus the host's launch overhead.</summary>
    public required double BoardSeconds { get; init; }

    public required IReadOnlyList<ModuleStatistics> Modules { get; init; }

    public required ProfilerCounters Counters { get; init; }

    /// <summary>Set when <see cref="Status"/> is <see cref="RunStatus.RuntimeError"/>.</summary>
    public SimulationFault? Fault { get; init; }

    /// <summary>Set when <see cref="Status"/> is <see cref="RunStatus.Hang"/>.</summary>
    public HangReport? Hang { get; init; }

    /// <summary>Unordered access pairs found when <see cref="RunOptions.CheckRaces"/> was on.</summary>
    public IReadOnlyList<RaceReport> Races { get; init; } = [];

    /// <summary>Things a finished run left behind that a board would carry into the next run (tokens, unexecuted instructions).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public ModuleStatistics Module(VtaModule module) => Modules.First(m => m.Module == module);

    /// <summary>One line (or a few, for a hang) saying how the run ended.</summary>
    public string Diagnostic => Status switch
    {
        RunStatus.Finished => $"finished in {Cycles} cycles ({BoardSeconds * 1e3:F3} ms on the board)",
        RunStatus.Hang => Hang!.ToString(),
        RunStatus.RuntimeError => $"runtime error: {Fault}",
        _ => $"still running after {Cycles} cycles (the cycle budget)",
    };
}
