using HilTuner.Onnx;

namespace HilTuner.Onnx.Tests;

/// <summary>Hand-built trees run by OnnxRuntime: the split rule, NaN handling, weights, bias and calibration.</summary>
[TestClass]
public sealed class TreeSemanticsTests
{
    private static readonly string[] TwoFeatures = ["x", "y"];

    [TestMethod]
    public void ValueAtThresholdGoesLeftAboveGoesRightNaNGoesRight()
    {
        // x <= 2 → leaf 0 (-3), else leaf 1 (+3). Slope -1, offset 0: P = sigmoid(score).
        var tree = new RegressionTreeArrays([~0], [~1], [0], [2f], [-3.0, 3.0]);
        var head = new CalibratedTreeHead("p", [tree], null, 0, -1, 0);
        using var predictor = OnnxTreePredictor.Load(
            OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TwoFeatures, [head])), "threshold");

        float[] rows = [2f, 0, MathF.BitIncrement(2f), 0, MathF.BitDecrement(2f), 0, float.NaN, 0, float.NegativeInfinity, 0];
        float[] p = predictor.Predict(rows);
        double left = 1 / (1 + Math.Exp(3)), right = 1 / (1 + Math.Exp(-3));
        double[] expected = [left, right, left, right, left];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], p[i], 1e-6, $"row {i} (x = {rows[2 * i]})");
            Assert.AreEqual(expected[i], head.ComputeProbability(rows.AsSpan(2 * i, 2)), 1e-12, $"reference row {i}");
        }
    }

    [TestMethod]
    public void WeightsBiasSingleLeafTreesAndDeeperTreesCombine()
    {
        // Tree 0: root splits on y <= 0.5; left child is split 1 on x <= -1; right is leaf 2.
        var deep = new RegressionTreeArrays([1, ~0], [~2, ~1], [1, 0], [0.5f, -1f], [0.25, -0.5, 1.0]);
        var stump = RegressionTreeArrays.SingleLeaf(0.75);
        var head = new CalibratedTreeHead("p_fail", [deep, stump], [2.0, -0.5], 0.125, -1.7, 0.3);
        using var predictor = OnnxTreePredictor.Load(
            OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TwoFeatures, [head])), "combine");

        var random = new Random(1);
        float[] rows = [.. Enumerable.Range(0, 400).Select(_ => (float)((random.NextDouble() * 6) - 3))];
        rows[0] = -1f;
        rows[1] = 0.5f;
        float[] p = predictor.Predict(rows);
        for (int i = 0; i < p.Length; i++)
        {
            var row = rows.AsSpan(2 * i, 2);
            double score = 0.125 + (2.0 * (row[1] <= 0.5f ? (row[0] <= -1f ? 0.25 : -0.5) : 1.0)) - (0.5 * 0.75);
            double expected = 1 / (1 + Math.Exp((-1.7 * score) + 0.3));
            Assert.AreEqual(expected, p[i], 1e-6, $"row {i}");
            Assert.AreEqual(expected, head.ComputeProbability(row), 1e-12);
        }
    }

    [TestMethod]
    public void HeadWithoutTreesIsCalibratedBias()
    {
        var head = new CalibratedTreeHead("p", [], null, 0.5, -2, 0.25);
        using var predictor = OnnxTreePredictor.Load(
            OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TwoFeatures, [head])), "empty");
        float[] p = predictor.Predict([1, 2, float.NaN, 4]);
        double expected = 1 / (1 + Math.Exp((-2 * 0.5) + 0.25));
        Assert.AreEqual(expected, p[0], 1e-6);
        Assert.AreEqual(expected, p[1], 1e-6);
    }

    [TestMethod]
    public void MalformedTreesAreRejected()
    {
        // Leaf count, lengths, a child pointing at the root, a leaf used twice, a detached cycle, NaN threshold.
        Assert.ThrowsExactly<ArgumentException>(() => new RegressionTreeArrays([~0], [~1], [0], [1f], [1.0]));
        Assert.ThrowsExactly<ArgumentException>(() => new RegressionTreeArrays([~0], [~1, 0], [0], [1f], [1.0, 2.0]));
        Assert.ThrowsExactly<ArgumentException>(() => new RegressionTreeArrays([0], [~1], [0], [1f], [1.0, 2.0]));
        Assert.ThrowsExactly<ArgumentException>(() => new RegressionTreeArrays([~0], [~0], [0], [1f], [1.0, 2.0]));
        Assert.ThrowsExactly<ArgumentException>(() =>
            new RegressionTreeArrays([~0, 2, ~2], [~1, ~3, 1], [0, 0, 0], [1f, 1f, 1f], [1.0, 2.0, 3.0, 4.0]));
        Assert.ThrowsExactly<ArgumentException>(() => new RegressionTreeArrays([~0], [~1], [0], [float.NaN], [1.0, 2.0]));
        Assert.ThrowsExactly<ArgumentException>(() => new RegressionTreeArrays([~0], [~1], [-1], [1f], [1.0, 2.0]));

        var outOfRange = new RegressionTreeArrays([~0], [~1], [2], [1f], [1.0, 2.0]);
        var head = new CalibratedTreeHead("p", [outOfRange], null, 0, -1, 0);
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeModel(TwoFeatures, [head]));
    }

    [TestMethod]
    public void BadNamesAndMetadataKeysAreRejected()
    {
        var tree = RegressionTreeArrays.SingleLeaf(1);
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeHead("p fail", [tree], null, 0, -1, 0));
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeHead("features", [tree], null, 0, -1, 0));
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeHead("p", [tree], [1.0, 2.0], 0, -1, 0));
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeHead("p", [tree], null, double.NaN, -1, 0));

        var head = new CalibratedTreeHead("p", [tree], null, 0, -1, 0);
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeModel(["x", "x"], [head]));
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeModel(TwoFeatures, [head, head]));
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeModel(TwoFeatures, []));
        Assert.ThrowsExactly<ArgumentException>(() => new CalibratedTreeModel(
            TwoFeatures, [head], [new(OnnxTreeModelFormat.FeatureNamesKey, "[]")]));
    }
}
