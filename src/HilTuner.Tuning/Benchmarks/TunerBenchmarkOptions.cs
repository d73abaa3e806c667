namespace HilTuner.Tuning.Benchmarks;

/// <summary>How tuners are compared on replay.</summary>
public sealed record TunerBenchmarkOptions
{
    /// <summary>The tuners; the first figure of each ratio is theirs, the second <see cref="Baseline"/>'s.</summary>
    public IReadOnlyList<string> Tuners { get; init; } = ["random", "xgb", "xgb-vinit", "ml2", "hiltuner"];

    public string Baseline { get; init; } = "xgb";

    /// <summary>Runs per tuner and layer (seeds <see cref="SeedBase"/>, +1, …).</summary>
    public int Seeds { get; init; } = 5;

    public int SeedBase { get; init; } = 1;

    /// <summary>Trials per run (capped at the space size).</summary>
    public int Trials { get; init; } = 200;

    /// <summary>
    /// Give the validity-aware tuners what was measured on the other layers of the benchmark (leave one layer out):
    /// a validity model trained on them and their programs for the performance model.
    /// </summary>
    public bool Transfer { get; init; } = true;

    /// <summary>Runs in parallel (0: one per core).</summary>
    public int Threads { get; init; }

    /// <summary>What the XGB tuners' cost model sees of a configuration (<c>--xgb-feature</c>).</summary>
    public HilTuner.Tuning.Tuners.XgbFeatureKind XgbFeature { get; init; } = HilTuner.Tuning.Tuners.XgbFeatureKind.Program;

    /// <summary>The watchdog timeout charged for each hang, in board seconds.</summary>
    public double HangSeconds { get; init; } = 10;
}
