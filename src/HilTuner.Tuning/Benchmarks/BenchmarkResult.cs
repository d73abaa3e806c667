using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>
/// The runs of a tuner benchmark and what they add up to: per layer the mean of each figure over seeds, its ratio to
/// the baseline's, the Willemsen et al. score, and over layers the geometric mean of the ratios and the mean score.
/// </summary>
public sealed class BenchmarkResult(Board board, TunerBenchmarkOptions options, IReadOnlyList<LayerSummary> layers, IReadOnlyList<RunMetrics> runs)
{
    public Board Board { get; } = board;
    public TunerBenchmarkOptions Options { get; } = options;
    public IReadOnlyList<LayerSummary> Layers { get; } = layers;
    public IReadOnlyList<RunMetrics> Runs { get; } = runs;

    public IEnumerable<RunMetrics> RunsOf(string tuner, string workload) => Runs.Where(r => r.Tuner == tuner && r.Workload == workload);

    /// <summary>The mean of a figure over a tuner's runs on a layer.</summary>
    public double Mean(BenchmarkMetric metric, string tuner, string workload) => RunsOf(tuner, workload).Select(r => metric.Of(r)).DefaultIfEmpty(0).Average();

    /// <summary>Runs (of <see cref="TunerBenchmarkOptions.Seeds"/>) that measured the optimum.</summary>
    public int Found(string tuner, string workload) => RunsOf(tuner, workload).Count(r => r.TrialsToBest is not null);

    /// <summary>
    /// The tuner's mean over the baseline's on a layer; null when the baseline's is zero (no ratio exists). A tuner
    /// mean of zero counts as the measurement's resolution — one event in all the seeds' runs — so that a zero does
    /// not make the geometric mean vanish.
    /// </summary>
    public double? Ratio(BenchmarkMetric metric, string tuner, string workload)
    {
        var baseline = Mean(metric, Options.Baseline, workload);
        if (baseline <= 0)
        {
            return null;
        }

        var mine = Mean(metric, tuner, workload);
        if (mine <= 0)
        {
            mine = (metric == BenchmarkMetric.LostSeconds ? Options.HangSeconds : 1.0) / Math.Max(1, Options.Seeds);
        }

        return mine / baseline;
    }

    /// <summary>The geometric mean over layers of the ratios that exist; null when none does.</summary>
    public double? GeometricMeanRatio(BenchmarkMetric metric, string tuner)
    {
        var ratios = Layers.Select(l => Ratio(metric, tuner, l.Workload)).OfType<double>().ToList();
        return ratios.Count == 0 ? null : Math.Exp(ratios.Average(Math.Log));
    }

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
}
