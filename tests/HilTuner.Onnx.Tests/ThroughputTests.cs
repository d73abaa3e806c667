using System.Diagnostics;
using HilTuner.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

using HilTuner.Tuning.Models;

namespace HilTuner.Onnx.Tests;

/// <summary>
/// Informal throughput comparison on the 100-tree model: the ONNX predictor (calls of 64 to 4096 rows, one or two
/// lanes, one or two OnnxRuntime intra-op threads) against ML.NET's reused PredictionEngine and its batch Transform.
/// Timing on a shared 2-core machine is noisy, so it runs only with HILTUNER_ONNX_THROUGHPUT=1, prints its figures and
/// asserts only that the best ONNX configuration is not slower than either ML.NET path.
/// </summary>
[TestClass]
public sealed class ThroughputTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void OnnxBatchesOutrunMlNet()
    {
        if (Environment.GetEnvironmentVariable("HILTUNER_ONNX_THROUGHPUT") != "1")
        {
            Assert.Inconclusive("set HILTUNER_ONNX_THROUGHPUT=1 to measure throughput");
        }

        var models = TrainedModels.Instance;
        var random = new Random(1);
        var rows = Enumerable.Range(0, 32768)
            .Select(i => models.HeldOut[random.Next(models.HeldOut.Count)])
            .ToList();
        float[] flat = TrainedModels.Flatten(rows);
        byte[] bytes = OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(
            TrainedModels.FeatureNames, [MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model)]));

        var engine = models.Engine(models.Fail);
        double engineRate = Rate(rows.Count, () =>
        {
            foreach (var row in rows)
            {
                engine.Predict(row);
            }
        });

        var data = models.Ml.Data.LoadFromEnumerable(rows, models.Schema);
        double transformRate = Rate(rows.Count, () =>
        {
            var scored = models.Fail.Transform(data);
            using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Probability"));
            var getter = cursor.GetGetter<float>(scored.Schema["Probability"]);
            float p = 0;
            while (cursor.MoveNext())
            {
                getter(ref p);
            }
        });

        TestContext.WriteLine($"ML.NET PredictionEngine {engineRate / 1000:F0}k rows/s, Transform {transformRate / 1000:F0}k rows/s");
        var output = new float[rows.Count];
        double best = 0;
        foreach (var (lanes, threads, spin) in new[] { (1, 1, false), (2, 1, false), (1, 2, false), (1, 2, true) })
        {
            foreach (int batch in new[] { 64, 256, 1024, 4096 })
            {
                using var predictor = OnnxTreePredictor.Load(
                    bytes, "bench", new OnnxPredictorOptions { BatchSize = batch, Parallelism = lanes, IntraOpThreads = threads, AllowSpinning = spin });
                double rate = Rate(rows.Count, () =>
                {
                    for (int start = 0; start < rows.Count; start += batch)
                    {
                        int count = Math.Min(batch, rows.Count - start);
                        predictor.Predict(flat.AsSpan(start * TrainedModels.Width, count * TrainedModels.Width), output.AsSpan(start, count));
                    }
                });
                best = Math.Max(best, batch >= 1024 ? rate : 0);
                TestContext.WriteLine(
                    $"ONNX lanes {lanes} intra-op threads {threads} spin {(spin ? "on " : "off")} batch {batch,4}: {rate / 1000:F0}k rows/s " +
                    $"({rate / engineRate:F1}x engine, {rate / transformRate:F1}x transform)");
            }
        }

        TestContext.WriteLine(
            $"best ONNX (calls of >= 1024 rows): {best / 1000:F0}k rows/s = {best / engineRate:F1}x engine, {best / transformRate:F1}x transform");
        Assert.IsGreaterThanOrEqualTo(engineRate, best);
        Assert.IsGreaterThanOrEqualTo(transformRate, best);
    }

    /// <summary>Rows per second of the best of five timed passes after one warm-up pass.</summary>
    private static double Rate(int rows, Action pass)
    {
        pass();
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            pass();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return rows / best;
    }
}
