using HilTuner.Onnx;

using HilTuner.Tuning.Models;

namespace HilTuner.Onnx.Tests;

[TestClass]
public sealed class PredictorTests
{
    [TestMethod]
    public void BatchSizesAndThreadCountsDoNotChangeResults()
    {
        var models = TrainedModels.Instance;
        var model = new CalibratedTreeModel(
            TrainedModels.FeatureNames,
            [
                MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model),
                MlNetTreeConverter.FromFastTreeBinary("p_runtime_error", models.RuntimeError.Model),
            ]);
        byte[] bytes = OnnxTreeModelWriter.ToBytes(model);
        var rows = TrainedModels.Flatten(models.HeldOut.Take(1500).ToList());

        using var reference = OnnxTreePredictor.Load(bytes, "reference", new OnnxPredictorOptions { Parallelism = 1 });
        float[] expected = reference.Predict(rows);

        // With one intra-op thread every row's value is bit-identical whatever the batching and the lanes; with more,
        // OnnxRuntime splits the tree sum across threads and the last bit may change.
        foreach (var options in new[]
                 {
                     new OnnxPredictorOptions { BatchSize = 1, Parallelism = 1 },
                     new OnnxPredictorOptions { BatchSize = 7, Parallelism = 2, MinRowsPerLane = 1 },
                     new OnnxPredictorOptions { BatchSize = 64, Parallelism = 3, MinRowsPerLane = 5 },
                     new OnnxPredictorOptions { BatchSize = 4096, Parallelism = 2 },
                     new OnnxPredictorOptions { BatchSize = 256, Parallelism = 1, IntraOpThreads = 2 },
                     new OnnxPredictorOptions { BatchSize = 4096, Parallelism = 1, IntraOpThreads = 0, AllowSpinning = true },
                 })
        {
            using var predictor = OnnxTreePredictor.Load(bytes, "batched", options);
            Assert.AreEqual(options.BatchSize, predictor.BatchSize);
            Assert.AreEqual(options.EffectiveParallelism, predictor.Parallelism);
            bool exact = options.IntraOpThreads == 1;
            AssertClose(expected, predictor.Predict(rows), exact, options.ToString());

            // Calls of varying sizes on the same predictor (partial batches rebound).
            var output = new float[expected.Length];
            int at = 0;
            foreach (int count in new[] { 3, 3, 100, 1, 500, 3 })
            {
                predictor.Predict(rows.AsSpan(at * 20, count * 20), output.AsSpan(at * 2, count * 2));
                at += count;
            }

            AssertClose(expected[..(at * 2)], output[..(at * 2)], exact, options.ToString());
        }

        var single = new float[2];
        for (int r = 0; r < 50; r++)
        {
            reference.PredictRow(rows.AsSpan(r * 20, 20), single);
            Assert.AreEqual(expected[2 * r], single[0]);
            Assert.AreEqual(expected[(2 * r) + 1], single[1]);
        }

        Assert.IsEmpty(reference.Predict([]));
    }

    /// <summary>
    /// Equal up to float rounding: with several intra-op threads OnnxRuntime adds the trees' values in another order.
    /// </summary>
    private static void AssertClose(float[] expected, float[] actual, bool exact, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], exact ? 0f : 1e-6f, $"{what}, value {i}");
        }
    }

    [TestMethod]
    public void ConcurrentCallersGetTheirOwnResults()
    {
        var models = TrainedModels.Instance;
        byte[] bytes = OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(
            TrainedModels.FeatureNames, [MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model)]));
        using var predictor = OnnxTreePredictor.Load(
            bytes, "shared", new OnnxPredictorOptions { BatchSize = 32, Parallelism = 2, MinRowsPerLane = 8 });
        var all = TrainedModels.Flatten(models.HeldOut);
        float[] expected = predictor.Predict(all);

        Parallel.For(0, 8, worker =>
        {
            var random = new Random(worker);
            for (int call = 0; call < 40; call++)
            {
                int start = random.Next(models.HeldOut.Count - 100);
                int count = random.Next(1, 100);
                float[] p = predictor.Predict(all.AsSpan(start * 20, count * 20));
                CollectionAssert.AreEqual(expected[start..(start + count)], p);
            }
        });
    }

    [TestMethod]
    public void DisposedPredictorRefusesWork()
    {
        var predictor = OnnxTreePredictor.Load(OnnxTreeModelWriter.ToBytes(FileFormatTests.SmallModel()), "small");
        predictor.Dispose();
        predictor.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => predictor.Predict(new float[5]));
    }

    [TestMethod]
    public void InvalidOptionsAreRejected()
    {
        byte[] bytes = OnnxTreeModelWriter.ToBytes(FileFormatTests.SmallModel());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            OnnxTreePredictor.Load(bytes, "x", new OnnxPredictorOptions { BatchSize = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            OnnxTreePredictor.Load(bytes, "x", new OnnxPredictorOptions { IntraOpThreads = -1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            OnnxTreePredictor.Load(bytes, "x", new OnnxPredictorOptions { Parallelism = -1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            OnnxTreePredictor.Open("whatever.onnx", new OnnxPredictorOptions { MinRowsPerLane = 0 }));
    }
}
