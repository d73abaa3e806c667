using HilTuner.Tuning.Log;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>How tuners are compared on truth boards.</summary>
public sealed record TunerBenchmarkOptions
{
    /// <summary>The tuners; the first figure of each ratio is theirs, the second <see cref="Baseline"/>'s.</summary>
    public IReadOnlyList<string> Tuners { get; init; } = ["random", "xgb", "xgb-vinit", "ml2", "hiltuner"];

    public string Baseline { get; init; } = "xgb";

    /// <summary>Runs per tuner, layer and truth board (seeds <see cref="SeedBase"/>, +1, …).</summary>
    public int Seeds { get; init; } = 10;

    public int SeedBase { get; init; } = 1;

    /// <summary>Trials per run (capped at the space size).</summary>
    public int Trials { get; init; } = 200;

    /// <summary>
    /// Tune the layers in order, as VTA's tutorial does, and give each tuner that takes transfer the records it measured
    /// itself on the earlier layers of the same sequence (same tuner, seed and truth board): their measurements are
    /// already counted in those layers' figures.
    /// </summary>
    public bool Transfer { get; init; } = true;

    /// <summary>Records of other runs given explicitly (<c>--transfer</c>): learnt from by every tuner that takes transfer.</summary>
    public IReadOnlyList<TuningRecord> TransferLogs { get; init; } = [];

    /// <summary>Coefficient of variation of the truth boards' multiplicative measurement noise (log-normal, mean 1).</summary>
    public double NoiseCv { get; init; } = 0.02;

    /// <summary>Sequences run in parallel (0: one per core).</summary>
    public int Threads { get; init; }

    /// <summary>What the XGB tuners' cost model sees of a configuration (<c>--xgb-feature</c>).</summary>
    public HilTuner.Tuning.Tuners.XgbFeatureKind XgbFeature { get; init; } = HilTuner.Tuning.Tuners.XgbFeatureKind.Program;

    /// <summary>
    /// A measured configuration counts as the layer's best when its noise-free time on the truth board is within this
    /// fraction of the optimum's (0.01: at most 1% slower). The top of VTA's spaces is flat and measurements are noisy, so
    /// the single fastest configuration is one of several near-ties (docs: benchmarking); 0 asks for that one exactly.
    /// </summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>The watchdog timeout charged for each hang, in board seconds.</summary>
    public double HangSeconds { get; init; } = 10;

    /// <summary>Resamples of the percentile bootstrap behind every interval.</summary>
    public int BootstrapResamples { get; init; } = 1000;
}
