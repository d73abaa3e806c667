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
    private static readonly Lazy<BenchmarkResult> Result = new(() =>
    {
        var tables = new[] { "resnet18.C9", "resnet18.C11" }.Select(w => GroundTruthTable.Measure(WorkloadRegistry.Resolve(w), Repository.UncalibratedBoard)).ToList();
        return TunerBenchmark.Run(tables, new TunerBenchmarkOptions { Tuners = ["random", "xgb", "hiltuner"], Seeds = 2, Trials = 60 });
    });

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
}
