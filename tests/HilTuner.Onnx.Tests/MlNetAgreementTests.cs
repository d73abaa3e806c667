using HilTuner.Onnx;
using Microsoft.ML;
using Microsoft.ML.Calibrators;

using HilTuner.Tuning.Models;

namespace HilTuner.Onnx.Tests;

/// <summary>ONNX files written from real ML.NET FastTree models, run by OnnxRuntime, against ML.NET's own predictions.</summary>
[TestClass]
public sealed class MlNetAgreementTests
{
    private const double Tolerance = 1e-5;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void SingleHeadMatchesPredictionEngineOnHeldOutRows()
    {
        var models = TrainedModels.Instance;
        var head = MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model);
        Assert.HasCount(100, head.Trees);
        var ensemble = models.Fail.Model.SubModel.TrainedTreeEnsemble;
        TestContext.WriteLine(
            $"ML.NET bias {ensemble.Bias}, tree weights {string.Join(",", ensemble.TreeWeights.Distinct())}, " +
            $"slope {head.PlattSlope}, offset {head.PlattOffset}");
        Assert.AreEqual(0.0, ensemble.Bias, "the converter relies on FastTree's bias being 0");
        Assert.IsTrue(ensemble.TreeWeights.All(w => w == 1.0), "the converter relies on FastTree's tree weights being 1");

        using var directory = new TempDirectory();
        string path = directory.File("gate.onnx");
        OnnxTreeModelWriter.WriteFile(new CalibratedTreeModel(TrainedModels.FeatureNames, [head]), path);
        using var predictor = OnnxTreePredictor.Open(path);

        var rows = models.HeldOut;
        Assert.IsGreaterThanOrEqualTo(1000, rows.Count);
        int nanRows = rows.Count(r => r.Features.Any(float.IsNaN));
        Assert.IsGreaterThan(50, nanRows, "the held-out rows should include rows with missing values");

        float[] onnx = predictor.Predict(TrainedModels.Flatten(rows));
        var engine = models.Engine(models.Fail);
        double maxOnnx = 0, maxReference = 0, maxNanRows = 0;
        var distinct = new HashSet<float>();
        for (int i = 0; i < rows.Count; i++)
        {
            float expected = engine.Predict(rows[i]).Probability;
            double onnxDifference = Math.Abs(onnx[i] - expected);
            maxOnnx = Math.Max(maxOnnx, onnxDifference);
            maxReference = Math.Max(maxReference, Math.Abs(head.ComputeProbability(rows[i].Features) - expected));
            if (rows[i].Features.Any(float.IsNaN))
            {
                maxNanRows = Math.Max(maxNanRows, onnxDifference);
            }

            distinct.Add(expected);
        }

        TestContext.WriteLine(
            $"{rows.Count} rows ({nanRows} with NaN): max |P_onnx - P_mlnet| = {maxOnnx:E2} (NaN rows {maxNanRows:E2}), " +
            $"max |P_reference - P_mlnet| = {maxReference:E2}");
        Assert.IsGreaterThan(500, distinct.Count, "the model should separate rows");
        Assert.IsLessThanOrEqualTo(Tolerance, maxOnnx);
        Assert.IsLessThanOrEqualTo(Tolerance, maxReference);
    }

    [TestMethod]
    public void FittedPlattCalibratorWithOffsetMatchesMlNet()
    {
        // FastTree's own calibrator has offset 0; fit a Platt calibrator on its scores to check the offset's sign.
        var models = TrainedModels.Instance;
        var scored = models.Fail.Transform(models.Ml.Data.LoadFromEnumerable(models.Train, models.Schema));
        var platt = models.Ml.BinaryClassification.Calibrators.Platt(labelColumnName: nameof(TrainedModels.Row.Fail)).Fit(scored);
        var calibrator = ((ISingleFeaturePredictionTransformer<PlattCalibrator>)platt).Model;
        var fastTree = MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model);
        var head = new CalibratedTreeHead(
            "p_fail", fastTree.Trees, fastTree.TreeWeights, fastTree.Bias, calibrator.Slope, calibrator.Offset);
        TestContext.WriteLine($"fitted Platt slope {calibrator.Slope}, offset {calibrator.Offset}");
        Assert.IsGreaterThan(0.01, Math.Abs(calibrator.Offset), "the fitted calibrator should have an offset");

        using var predictor = OnnxTreePredictor.Load(
            OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TrainedModels.FeatureNames, [head])), "platt");
        var engine = models.Engine(models.Fail.Append(platt));
        float[] onnx = predictor.Predict(TrainedModels.Flatten(models.HeldOut));
        double max = models.HeldOut.Select((row, i) => Math.Abs(onnx[i] - engine.Predict(row).Probability)).Max();
        TestContext.WriteLine($"max difference with a fitted Platt calibrator {max:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, max);
    }

    [TestMethod]
    public void TwoHeadsInOneFileEachMatchTheirModel()
    {
        var models = TrainedModels.Instance;
        var fail = MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model);
        var error = MlNetTreeConverter.FromFastTreeBinary("p_runtime_error", models.RuntimeError.Model);
        byte[] bytes = OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TrainedModels.FeatureNames, [fail, error]));
        string? exportDirectory = Environment.GetEnvironmentVariable("HILTUNER_ONNX_EXPORT_DIR");
        if (!string.IsNullOrEmpty(exportDirectory))
        {
            // For checking the files with other ONNX tools (e.g. python3 -c "import onnx; onnx.checker.check_model(...)").
            File.WriteAllBytes(Path.Combine(exportDirectory, "two-heads.onnx"), bytes);
        }

        using var predictor = OnnxTreePredictor.Load(bytes, "two-heads");
        CollectionAssert.AreEqual(new[] { "p_fail", "p_runtime_error" }, predictor.HeadNames.ToArray());

        var rows = models.HeldOut;
        float[] onnx = predictor.Predict(TrainedModels.Flatten(rows));
        var failEngine = models.Engine(models.Fail);
        var errorEngine = models.Engine(models.RuntimeError);
        double maxFail = 0, maxError = 0, maxHeadGap = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            float expectedFail = failEngine.Predict(rows[i]).Probability;
            float expectedError = errorEngine.Predict(rows[i]).Probability;
            maxFail = Math.Max(maxFail, Math.Abs(onnx[(2 * i) + 0] - expectedFail));
            maxError = Math.Max(maxError, Math.Abs(onnx[(2 * i) + 1] - expectedError));
            maxHeadGap = Math.Max(maxHeadGap, Math.Abs(expectedFail - expectedError));
        }

        TestContext.WriteLine($"max difference p_fail {maxFail:E2}, p_runtime_error {maxError:E2}");
        Assert.IsGreaterThan(0.3, maxHeadGap, "the two heads should be different models");
        Assert.IsLessThanOrEqualTo(Tolerance, maxFail);
        Assert.IsLessThanOrEqualTo(Tolerance, maxError);
    }

    [TestMethod]
    public void RowsExactlyAtThresholdsAgreeWithMlNet()
    {
        var models = TrainedModels.Instance;
        var head = MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model);
        using var predictor = OnnxTreePredictor.Load(
            OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TrainedModels.FeatureNames, [head])), "ties");
        var engine = models.Engine(models.Fail);

        // For every split of every tree: a held-out row that reaches the split, with the split's feature set exactly
        // to its threshold and to the next float above it. At the threshold the row must go left, just above right.
        var probes = new List<TrainedModels.Row>();
        int integerThresholds = 0;
        foreach (var tree in head.Trees)
        {
            for (int n = 0; n < tree.SplitCount; n++)
            {
                float threshold = tree.Threshold[n];
                var baseRow = models.HeldOut.FirstOrDefault(r => Reaches(tree, r.Features, n))?.Features;
                if (baseRow is null || !float.IsFinite(threshold))
                {
                    continue;
                }

                foreach (float value in new[] { threshold, MathF.BitIncrement(threshold) })
                {
                    float[] features = [.. baseRow];
                    features[tree.SplitFeature[n]] = value;
                    Assert.IsTrue(Reaches(tree, features, n), "changing the split's own feature keeps the path to it");
                    probes.Add(new TrainedModels.Row { Features = features });
                }

                integerThresholds += threshold == MathF.Round(threshold) ? 1 : 0;
            }
        }

        float[] onnx = predictor.Predict(TrainedModels.Flatten(probes));
        double max = 0;
        int changedAcrossThreshold = 0;
        for (int i = 0; i < probes.Count; i++)
        {
            float expected = engine.Predict(probes[i]).Probability;
            max = Math.Max(max, Math.Abs(onnx[i] - expected));
            if (i % 2 == 1 && onnx[i] != onnx[i - 1])
            {
                changedAcrossThreshold++;
            }
        }

        TestContext.WriteLine(
            $"{probes.Count} probe rows ({integerThresholds} splits at integer thresholds): max difference {max:E2}, " +
            $"{changedAcrossThreshold} probe pairs change across a threshold");
        Assert.IsGreaterThan(1000, probes.Count);
        Assert.IsGreaterThan(probes.Count / 2 * 9 / 10, changedAcrossThreshold, "each probe pair should straddle its split");
        Assert.IsLessThanOrEqualTo(Tolerance, max);
    }

    /// <summary>Whether a row's path from the root passes split <paramref name="target"/>.</summary>
    private static bool Reaches(RegressionTreeArrays tree, float[] features, int target)
    {
        int node = 0;
        while (node >= 0)
        {
            if (node == target)
            {
                return true;
            }

            node = features[tree.SplitFeature[node]] <= tree.Threshold[node] ? tree.LeftChild[node] : tree.RightChild[node];
        }

        return false;
    }

    [TestMethod]
    public void IntegerFeaturesWithTiesAgreeWithMlNet()
    {
        // Rows made only of small integers: every integer-valued feature sits on its training values (ties).
        var models = TrainedModels.Instance;
        var head = MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model);
        using var predictor = OnnxTreePredictor.Load(
            OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TrainedModels.FeatureNames, [head])), "integers");
        var engine = models.Engine(models.Fail);
        var random = new Random(9);
        var rows = Enumerable.Range(0, 1000).Select(_ => new TrainedModels.Row
        {
            Features = [.. Enumerable.Range(0, TrainedModels.Width).Select(_ => (float)random.Next(-1, 9))],
        }).ToList();

        float[] onnx = predictor.Predict(TrainedModels.Flatten(rows));
        double max = rows.Select((row, i) => Math.Abs(onnx[i] - engine.Predict(row).Probability)).Max();
        TestContext.WriteLine($"integer rows: max difference {max:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, max);
    }
}
