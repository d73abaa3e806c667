using HilTuner.Vta.Config;
using MathNet.Numerics.Statistics;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>
/// The runs of a tuner benchmark on one truth board and what they add up to: per layer the mean of each figure over
/// seeds, its ratio to the baseline's with a bootstrap interval, the Willemsen et al. score, and over layers the
/// geometric mean of the ratios (with its interval) and the mean score.
/// </summary>
public sealed class BenchmarkResult(Board nominal, Board truth, TunerBenchmarkOptions options, IReadOnlyList<LayerSummary> layers, IReadOnlyList<RunMetrics> runs)
{
    /// <summary>The truth board: where every measurement came from.</summary>
    public Board Board { get; } = truth;

    /// <summary>The board the tuners compiled, estimated and gated with.</summary>
    public Board Nominal { get; } = nominal;

    /// <summary>True when the truth is the nominal board itself (no truth board given).</summary>
    public bool TruthIsNominal => ReferenceEquals(Board, Nominal);

    public TunerBenchmarkOptions Options { get; } = options;
    public IReadOnlyList<LayerSummary> Layers { get; } = layers;
    public IReadOnlyList<RunMetrics> Runs { get; } = runs;

    public IEnumerable<RunMetrics> RunsOf(string tuner, string workload) => Runs.Where(r => r.Tuner == tuner && r.Workload == workload);

    /// <summary>The mean of a figure over a tuner's runs on a layer.</summary>
    public double Mean(BenchmarkMetric metric, string tuner, string workload) => RunsOf(tuner, workload).Select(r => metric.Of(r)).DefaultIfEmpty(0).Average();

    /// <summary>Runs (of <see cref="TunerBenchmarkOptions.Seeds"/>) that measured the optimum.</summary>
    public int Found(string tuner, string workload) => RunsOf(tuner, workload).Count(r => r.TrialsToBest is not null);

    /// <summary>What a tuner mean of zero counts as: one event in all the seeds' runs (see <see cref="Bootstrap.Ratio"/>).</summary>
    public double Zero(BenchmarkMetric metric) => (metric == BenchmarkMetric.LostSeconds ? Options.HangSeconds : 1.0) / Math.Max(1, Options.Seeds);

    /// <summary>A layer's figure of the tuner's runs and of the baseline's.</summary>
    public RatioCell Cell(BenchmarkMetric metric, string tuner, string workload) =>
        new([.. RunsOf(tuner, workload).Select(r => metric.Of(r))], [.. RunsOf(Options.Baseline, workload).Select(r => metric.Of(r))]);

    /// <summary>Every layer's cell.</summary>
    public IReadOnlyList<RatioCell> Cells(BenchmarkMetric metric, string tuner) => [.. Layers.Select(l => Cell(metric, tuner, l.Workload))];

    /// <summary>The tuner's mean over the baseline's on a layer; null when the baseline's is zero (no ratio exists).</summary>
    public double? Ratio(BenchmarkMetric metric, string tuner, string workload)
    {
        var cell = Cell(metric, tuner, workload);
        return Bootstrap.Ratio(cell.Mine, cell.Baseline, Zero(metric));
    }

    /// <summary>The ratio on a layer with its 95% interval over seeds; null when no ratio exists.</summary>
    public Interval? RatioInterval(BenchmarkMetric metric, string tuner, string workload) =>
        Bootstrap.GeometricMeanInterval([[Cell(metric, tuner, workload)]], Zero(metric), Options.BootstrapResamples);

    /// <summary>
    /// The floor of a figure's ratio against this baseline: every layer's cell of a run that measures the best first
    /// (<see cref="BenchmarkMetricNames.BestFirst"/>) beside the baseline's runs; empty for a figure without a floor.
    /// No tuner's ratio can go below the floor's, however good it is: it tells a target that the baseline makes
    /// unreachable from one that is not.
    /// </summary>
    public IReadOnlyList<RatioCell> FloorCells(BenchmarkMetric metric) => metric.BestFirst() is { } first
        ? [.. Layers.Select(l => RunsOf(Options.Baseline, l.Workload).Select(r => metric.Of(r)).ToList()).Select(b => new RatioCell([.. b.Select(_ => first)], b))]
        : [];

    /// <summary>The floor's geometric mean over layers with its 95% interval; null for a figure without a floor.</summary>
    public Interval? FloorInterval(BenchmarkMetric metric) =>
        Bootstrap.GeometricMeanInterval([FloorCells(metric)], Zero(metric), Options.BootstrapResamples);

    /// <summary>The geometric mean over layers of the ratios that exist; null when none does.</summary>
    public double? GeometricMeanRatio(BenchmarkMetric metric, string tuner) => Bootstrap.GeometricMean([Cells(metric, tuner)], Zero(metric));

    /// <summary>The geometric mean over layers with its 95% interval over layers and seeds; null when no ratio exists.</summary>
    public Interval? GeometricMeanInterval(BenchmarkMetric metric, string tuner) =>
        Bootstrap.GeometricMeanInterval([Cells(metric, tuner)], Zero(metric), Options.BootstrapResamples);

    /// <summary>
    /// Willemsen et al.'s score on a layer: the mean over budgets t = 1 … trials of
    /// P_t = (f_tuner(t) − f_random(t)) / (f_opt − f_random(t)), f_tuner(t) the best GFLOPS by trial t averaged over the
    /// seeds, f_random(t) random search's expected best; 0 is random search, 1 the optimum from the first trial.
    /// </summary>
    public double Score(string tuner, string workload)
    {
        var layer = Layers.First(l => l.Workload == workload);
        var curves = RunsOf(tuner, workload).Select(r => r.BestCurve).Where(c => c.Count > 0).ToList();
        if (curves.Count == 0)
        {
            return 0;
        }

        var budget = Math.Min(Options.Trials, layer.SpaceSize);
        var sum = 0.0;
        for (var t = 1; t <= budget; t++)
        {
            var mine = curves.Average(c => c[Math.Min(t, c.Count) - 1]);
            var random = layer.RandomBest(t);
            sum += layer.OptimumGflops > random ? (mine - random) / (layer.OptimumGflops - random) : (mine >= layer.OptimumGflops ? 1 : 0);
        }

        return sum / budget;
    }

    /// <summary>The score averaged over layers.</summary>
    public double MeanScore(string tuner) => Layers.Average(l => Score(tuner, l.Workload));

    /// <summary>
    /// A tuner's best-so-far as a fraction of each layer's optimum after 1, 2, … board measurements, over all its runs
    /// (layers and seeds): the median and the interquartile band. A run that stopped earlier keeps its last value.
    /// </summary>
    public (double[] Median, double[] Low, double[] High) BestSoFar(string tuner)
    {
        var curves = Layers.SelectMany(l => RunsOf(tuner, l.Workload)
            .Select(r => r.BestByMeasurement.Select(g => l.OptimumGflops > 0 ? g / l.OptimumGflops : 0).ToArray())).ToList();
        var length = curves.Select(c => c.Length).DefaultIfEmpty(0).Max();
        var (median, low, high) = (new double[length], new double[length], new double[length]);
        for (var x = 0; x < length; x++)
        {
            var values = curves.Select(c => c.Length == 0 ? 0 : c[Math.Min(x, c.Length - 1)]).ToArray();
            (median[x], low[x], high[x]) = (values.Quantile(0.5), values.Quantile(0.25), values.Quantile(0.75));
        }

        return (median, low, high);
    }
}

/// <summary>A benchmark over several truth boards: each board's result and the geometric mean over all of them.</summary>
public sealed class TruthBenchmarkResult(Board nominal, IReadOnlyList<BenchmarkResult> boards, TunerBenchmarkOptions options)
{
    public Board Nominal { get; } = nominal;
    public IReadOnlyList<BenchmarkResult> Boards { get; } = boards;
    public TunerBenchmarkOptions Options { get; } = options;

    /// <summary>The geometric mean over every truth board's layers (each board the same layers), with its interval.</summary>
    public Interval? GeometricMeanInterval(BenchmarkMetric metric, string tuner) =>
        Bootstrap.GeometricMeanInterval([.. Boards.Select(b => b.Cells(metric, tuner))], Boards[0].Zero(metric), Options.BootstrapResamples);

    /// <summary>The floor (<see cref="BenchmarkResult.FloorCells"/>) over every truth board's layers, with its interval.</summary>
    public Interval? FloorInterval(BenchmarkMetric metric) =>
        Bootstrap.GeometricMeanInterval([.. Boards.Select(b => b.FloorCells(metric))], Boards[0].Zero(metric), Options.BootstrapResamples);

    /// <summary>The score averaged over truth boards and layers.</summary>
    public double MeanScore(string tuner) => Boards.Average(b => b.MeanScore(tuner));
}
