using HilTuner.Hardware;

namespace HilTuner.Tuning.Session;

/// <summary>How one task is tuned.</summary>
public sealed record TuningOptions
{
    /// <summary>Trials to run (capped at the space size).</summary>
    public required int Trials { get; init; }

    public int Seed { get; init; }

    /// <summary>Stop once this many trials pass without a new best (AutoTVM's <c>early_stopping</c>); null never stops early.</summary>
    public int? EarlyStopping { get; init; }

    /// <summary>
    /// Configurations asked of the tuner at a time (AutoTVM's <c>n_parallel</c>). AutoTVM takes the builder's
    /// process count, i.e. the host's cores; a fixed number keeps a seed's run the same on every machine, which
    /// resuming a log on another host relies on.
    /// </summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Configurations compiled at once (the builder's threads).</summary>
    public int BuildThreads { get; init; } = Environment.ProcessorCount;

    public MeasureOptions Measure { get; init; } = MeasureOptions.Default;

    /// <summary>
    /// Share of the programs the validity gate would skip that are measured anyway, so that the gate's mistakes
    /// show (the decision is a function of the seed and the configuration, so a resumed run decides the same).
    /// </summary>
    public double GateExploration { get; init; } = 0.05;
}
