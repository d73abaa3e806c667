using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Benchmarks;
using HilTuner.Vta.Config;
using HilTuner.Tests.Shared;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class TunerBenchmarkTests
{
    private static readonly Lazy<IReadOnlyList<GroundTruthTable>> Tables = new(() =>
        [.. new[] { "resnet18.C9", "resnet18.C11" }.Select(w => GroundTruthTable.Measure(WorkloadRegistry.Resolve(w), Repository.UncalibratedBoard))]);

    private static readonly TunerBenchmarkOptions Options = new() { Tuners = ["random", "xgb", "hiltuner"], Seeds = 2, Trials = 60, Tolerance = 0 };

    /// <summary>The runs scored against the optimum itself (tolerance 0).</summary>
    private static readonly Lazy<BenchmarkResult> Result = new(() => TunerBenchmark.Run(Tables.Value, Options));

    [TestMethod]
    public void EveryRunIsScoredAgainstTheGroundTruth()
    {
        var result = Result.Value;
        Assert.HasCount(2 * 3 * 2, result.Runs);
        foreach (var run in result.Runs)
        {
            Assert.IsLessThanOrEqualTo(60, run.Trials);
            Assert.IsLessThanOrEqualTo(run.Trials, run.Measurements);
            Assert.IsLessThanOrEqualTo(run.Measurements, run.InvalidMeasurements);
            Assert.HasCount(run.Trials, run.BestCurve);
            var optimum = result.Layers.First(l => l.Workload == run.Workload).OptimumGflops;
            if (run.TrialsToBest is { } t)
            {
                Assert.AreEqual(optimum, run.BestCurve[t - 1], 1e-9, $"{run.Tuner} {run.Workload} seed {run.Seed}");
                Assert.IsLessThan(optimum - 1e-9, t > 1 ? run.BestCurve[t - 2] : 0);
                Assert.IsLessThanOrEqualTo(t, run.MeasurementsToBest!.Value);
            }
            else
            {
                Assert.IsLessThan(optimum - 1e-9, run.BestCurve[^1]);
                Assert.AreEqual(run.Trials + 1, run.TrialsToBestOrPenalty, "a run that never finds the optimum is charged all its trials and one more");
            }
        }
    }

    [TestMethod]
    public void RatiosAreRelativeToXgbAndScoresSpanRandomToOptimum()
    {
        var result = Result.Value;
        foreach (var metric in Enum.GetValues<BenchmarkMetric>().Where(m => m != BenchmarkMetric.LostSeconds))
        {
            Assert.AreEqual(1.0, result.GeometricMeanRatio(metric, "xgb")!.Value, 1e-12);
        }

        // No hang on the simulator's ground truth: no board time is lost, so that ratio does not exist.
        Assert.IsNull(result.GeometricMeanRatio(BenchmarkMetric.LostSeconds, "hiltuner"));

        foreach (var tuner in result.Options.Tuners)
        {
            foreach (var layer in result.Layers)
            {
                Assert.IsLessThanOrEqualTo(1.0 + 1e-9, result.Score(tuner, layer.Workload));
            }
        }

        // With what it measured itself on C9 first (no ground truth as a prior), hiltuner finds the optima almost at once; random search, on average, does not.
        Assert.IsGreaterThan(0.9, result.MeanScore("hiltuner"));
        Assert.AreEqual(2, result.Found("hiltuner", "resnet18.C11"));
        Assert.IsLessThan(result.MeanScore("hiltuner"), result.MeanScore("random"));
    }

    [TestMethod]
    public void TheRandomBaselineIsTheExpectedBestOfRandomSearch()
    {
        var result = Result.Value;
        var layer = result.Layers.First(l => l.Workload == "resnet18.C11");
        var truth = GroundTruth.Of("resnet18.C11");
        var random = new Random(5);
        foreach (var t in new[] { 1, 5, 20, 60 })
        {
            var sum = 0.0;
            const int Draws = 20_000;
            for (var d = 0; d < Draws; d++)
            {
                var best = 0.0;
                var picked = new HashSet<int>();
                while (picked.Count < t)
                {
                    var i = random.Next(truth.Gflops.Length);
                    if (picked.Add(i))
                    {
                        best = Math.Max(best, truth.Gflops[i]);
                    }
                }

                sum += best;
            }

            Assert.AreEqual(sum / Draws, layer.RandomBest(t), 0.02 * layer.OptimumGflops, $"{t} trials");
        }
    }
    /// <summary>
    /// The floor is what a run that measures each layer's best first would score against the baseline: the geometric
    /// mean over layers of 1 ÷ the baseline's mean measurements to the best (here √(1/4 · 1/1) = 0.5), and no tuner's
    /// ratio lies below it.
    /// </summary>
    [TestMethod]
    public void TheFloorIsTheOptimumMeasuredFirstAgainstTheBaseline()
    {
        RunMetrics Run(string tuner, string workload, int seed, int toBest) => new()
        {
            Tuner = tuner,
            Workload = workload,
            Seed = seed,
            Trials = 10,
            Measurements = 10,
            TrialsToBest = toBest,
            MeasurementsToBest = toBest,
            FailedTrials = 0,
            InvalidMeasurements = 0,
            LostSeconds = 0,
            BestCurve = [.. Enumerable.Repeat(1.0, 10)],
        };
        var layers = new[] { "a", "b" }.Select(w => new LayerSummary(w, 1, 10, _ => 0.5)).ToList();
        var runs = new[] { Run("xgb", "a", 1, 3), Run("xgb", "a", 2, 5), Run("xgb", "b", 1, 1), Run("xgb", "b", 2, 1), Run("hiltuner", "a", 1, 2), Run("hiltuner", "a", 2, 2), Run("hiltuner", "b", 1, 1), Run("hiltuner", "b", 2, 3) };
        var result = new BenchmarkResult(Repository.UncalibratedBoard, Repository.UncalibratedBoard, new TunerBenchmarkOptions { Tuners = ["xgb", "hiltuner"], Seeds = 2 }, layers, runs);

        var floor = result.FloorInterval(BenchmarkMetric.MeasurementsToBest)!;
        Assert.AreEqual(0.5, floor.Value, 1e-12);
        Assert.IsTrue(floor.Low <= floor.Value && floor.Value <= floor.High, $"{floor.Low} ≤ {floor.Value} ≤ {floor.High}");
        Assert.AreEqual(Math.Sqrt(2.0 / 4 * 2.0 / 1), result.GeometricMeanInterval(BenchmarkMetric.MeasurementsToBest, "hiltuner")!.Value, 1e-12);
        Assert.IsNull(result.FloorInterval(BenchmarkMetric.InvalidMeasurements), "failures have no floor of this kind");

        var measured = Result.Value;
        foreach (var tuner in measured.Options.Tuners)
        {
            Assert.IsLessThanOrEqualTo(measured.GeometricMeanInterval(BenchmarkMetric.MeasurementsToBest, tuner)!.Value + 1e-12, measured.FloorInterval(BenchmarkMetric.MeasurementsToBest)!.Value, tuner);
        }
    }

    /// <summary>
    /// With a tolerance the same runs (same proposals) count as having found the best at the first configuration whose
    /// noise-free time is within the tolerance of the optimum's: never later than the optimum itself, and nothing before
    /// that trial was within it.
    /// </summary>
    [TestMethod]
    public void WithAToleranceTheBestIsTheFirstConfigurationWithinItOfTheOptimum()
    {
        const double Tolerance = 0.25;
        var exact = Result.Value;
        var within = TunerBenchmark.Run(Tables.Value, Options with { Tolerance = Tolerance });
        Assert.IsTrue(within.Layers.All(l => l.BestCount >= 1) && within.Layers.Any(l => l.BestCount > 1), string.Join(", ", within.Layers.Select(l => l.BestCount)));
        Assert.IsTrue(exact.Layers.All(l => l.BestCount == 1));
        var earlier = 0;
        foreach (var (run, same) in within.Runs.Zip(exact.Runs))
        {
            CollectionAssert.AreEqual(same.Proposals.ToList(), run.Proposals.ToList(), "the tolerance changes how runs are scored, not what tuners do");
            Assert.IsLessThanOrEqualTo(same.TrialsToBestOrPenalty, run.TrialsToBestOrPenalty);
            Assert.IsLessThanOrEqualTo(same.MeasurementsToBestOrPenalty, run.MeasurementsToBestOrPenalty);
            earlier += run.TrialsToBestOrPenalty < same.TrialsToBestOrPenalty ? 1 : 0;
            var optimum = within.Layers.First(l => l.Workload == run.Workload).OptimumGflops;
            if (run.TrialsToBest is { } t)
            {
                Assert.IsGreaterThanOrEqualTo(optimum, run.BestCurve[t - 1] * (1 + Tolerance) + 1e-9, $"{run.Tuner} {run.Workload} seed {run.Seed}");
                Assert.IsLessThan(optimum, (t > 1 ? run.BestCurve[t - 2] : 0) * (1 + Tolerance));
            }
        }

        Assert.IsGreaterThan(0, earlier, "some run measured a near-tie of the optimum before the optimum");
    }
}
