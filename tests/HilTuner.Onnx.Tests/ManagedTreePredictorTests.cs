using Google.Protobuf;
using HilTuner.Onnx.Proto;
using HilTuner.Tuning.Models;

namespace HilTuner.Onnx.Tests;

/// <summary>
/// The managed evaluator (the linux-arm build's engine) against OnnxRuntime on the same ONNX bytes: a real trained
/// model over many rows, every branch mode and missing-value rule, and what it refuses.
/// </summary>
[TestClass]
public sealed class ManagedTreePredictorTests
{
    private const double Tolerance = 1e-6;

    private static readonly string[] TwoFeatures = ["x", "y"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TwoHeadsOfATrainedModelEqualOnnxRuntimeOnEveryRow()
    {
        var models = TrainedModels.Instance;
        var fail = MlNetTreeConverter.FromFastTreeBinary("p_fail", models.Fail.Model);
        var error = MlNetTreeConverter.FromFastTreeBinary("p_runtime_error", models.RuntimeError.Model);
        byte[] bytes = OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TrainedModels.FeatureNames, [fail, error]));

        // Held-out and training rows (some with NaN), and rows whose every feature sits on a split threshold or just
        // above it, where <= and < part ways.
        var thresholds = fail.Trees.Concat(error.Trees)
            .SelectMany(t => t.SplitFeature.Zip(t.Threshold))
            .GroupBy(s => s.First, s => s.Second)
            .ToDictionary(g => g.Key, g => g.ToArray());
        var random = new Random(3);
        var onSplits = Enumerable.Range(0, 2000).SelectMany(r => Enumerable.Range(0, TrainedModels.Width).Select(f =>
        {
            if (!thresholds.TryGetValue(f, out var values))
            {
                return (float)random.NextDouble();
            }

            float t = values[random.Next(values.Length)];
            return r % 2 == 0 ? t : MathF.BitIncrement(t);
        }));
        float[] rows = [.. TrainedModels.Flatten(models.HeldOut), .. TrainedModels.Flatten(models.Train), .. onSplits];
        int rowCount = rows.Length / TrainedModels.Width;

        using var onnxRuntime = OnnxTreePredictor.Load(bytes, "trained.onnx");
        using var managed = ManagedTreePredictor.Load(bytes, "trained.onnx");
        CollectionAssert.AreEqual(onnxRuntime.HeadNames.ToArray(), managed.HeadNames.ToArray());
        float[] expected = onnxRuntime.Predict(rows);
        float[] actual = new float[expected.Length];
        managed.Predict(rows, actual);

        var differences = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).ToArray();
        int fractions = expected.Count(p => p is > 0.001f and < 0.999f);
        TestContext.WriteLine(
            $"{rowCount} rows × 2 heads: max |managed - OnnxRuntime| = {differences.Max():E2}, " +
            $"{differences.Count(d => d == 0)} of {differences.Length} equal to the bit, {fractions} probabilities between 0.001 and 0.999");
        Assert.IsGreaterThan(5000, fractions, "the model should be unsure of many rows, or the comparison proves little");
        Assert.IsLessThanOrEqualTo(Tolerance, differences.Max());

        // One head alone (the gate's form) gives that head's column.
        using var errorOnly = ManagedTreePredictor.Load(bytes, "trained.onnx", new OnnxPredictorOptions { Heads = ["p_runtime_error"] });
        float[] column = new float[rowCount];
        errorOnly.Predict(rows, column);
        for (int i = 0; i < rowCount; i++)
        {
            Assert.AreEqual(actual[(2 * i) + 1], column[i], $"row {i}");
        }
    }

    [TestMethod]
    public void EveryBranchModeAndMissingValueRuleAsOnnxRuntimeRunsThem()
    {
        // Tree 0: root on y, left child on x, right leaf; tree 1 a stump on x; tree 2 a single leaf. The writer writes
        // BRANCH_LEQ with NaN to the false branch; here each mode is set in turn, with missing values tracking true.
        var deep = new RegressionTreeArrays([1, ~0], [~2, ~1], [1, 0], [0.5f, -1f], [0.25, -0.5, 1.0]);
        var stump = new RegressionTreeArrays([~0], [~1], [0], [2f], [-3.0, 3.0]);
        var head = new CalibratedTreeHead("p", [deep, stump, RegressionTreeArrays.SingleLeaf(0.75)], [2.0, 1.0, -0.5], 0.125, -1.7, 0.3);
        byte[] written = OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TwoFeatures, [head]));

        float[] edges = [-1f, 0.5f, 2f, MathF.BitIncrement(2f), MathF.BitDecrement(-1f), float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, 7f];
        float[] rows = [.. edges.SelectMany(x => edges.SelectMany(y => new[] { x, y }))];
        foreach (string mode in new[] { "BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ" })
        {
            foreach (long missingTrue in new[] { 0L, 1L })
            {
                byte[] bytes = Rewrite(written, node =>
                {
                    var modes = node.Attribute.Single(a => a.Name == "nodes_modes").Strings;
                    var missing = node.Attribute.Single(a => a.Name == "nodes_missing_value_tracks_true").Ints;
                    for (int i = 0; i < modes.Count; i++)
                    {
                        if (modes[i].ToStringUtf8() != "LEAF")
                        {
                            modes[i] = ByteString.CopyFromUtf8(mode);
                            missing[i] = missingTrue;
                        }
                    }
                });
                using var onnxRuntime = OnnxTreePredictor.Load(bytes, mode);
                using var managed = ManagedTreePredictor.Load(bytes, mode);
                float[] expected = onnxRuntime.Predict(rows);
                float[] actual = new float[expected.Length];
                managed.Predict(rows, actual);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.AreEqual(expected[i], actual[i], Tolerance, $"{mode}, missing tracks true {missingTrue}: row ({rows[2 * i]}, {rows[(2 * i) + 1]})");
                }

                Assert.IsGreaterThan(3, expected.Distinct().Count(), $"{mode}: the rows should reach several leaves");
            }
        }
    }

    [TestMethod]
    public void AnOperatorItDoesNotImplementIsRefusedByName()
    {
        var head = new CalibratedTreeHead("p", [RegressionTreeArrays.SingleLeaf(1)], null, 0, -1, 0);
        byte[] tanh = Rewrite(OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TwoFeatures, [head])), graph: graph =>
            graph.Node.Single(n => n.OpType == "Sigmoid").OpType = "Tanh");
        using (OnnxTreePredictor.Load(tanh, "tanh.onnx"))
        {
            // OnnxRuntime runs it; the managed evaluator must not guess.
        }

        var e = Assert.ThrowsExactly<OnnxModelException>(() => ManagedTreePredictor.Load(tanh, "tanh.onnx"));
        StringAssert.Contains(e.Message, "tanh.onnx");
        StringAssert.Contains(e.Message, "Tanh");

        byte[] average = Rewrite(OnnxTreeModelWriter.ToBytes(new CalibratedTreeModel(TwoFeatures, [head])), node =>
            node.Attribute.Single(a => a.Name == "aggregate_function").S = ByteString.CopyFromUtf8("AVERAGE"));
        e = Assert.ThrowsExactly<OnnxModelException>(() => ManagedTreePredictor.Load(average, "average.onnx"));
        StringAssert.Contains(e.Message, "AVERAGE");
    }

    [TestMethod]
    public void TheEngineOptionOpensTheManagedEvaluator()
    {
        var head = new CalibratedTreeHead("p", [RegressionTreeArrays.SingleLeaf(1)], null, 0, -1, 0);
        using var directory = new TempDirectory();
        string path = directory.File("one.onnx");
        OnnxTreeModelWriter.WriteFile(new CalibratedTreeModel(TwoFeatures, [head]), path);
        using var managed = CalibratedTreePredictor.Open(path, new OnnxPredictorOptions { Engine = TreeEngine.Managed });
        using var onnxRuntime = CalibratedTreePredictor.Open(path);
        Assert.IsInstanceOfType<ManagedTreePredictor>(managed);
        Assert.IsInstanceOfType<OnnxTreePredictor>(onnxRuntime);
        float[] expected = new float[1], actual = new float[1];
        onnxRuntime.PredictRow([0f, 0f], expected);
        managed.PredictRow([0f, 0f], actual);
        Assert.AreEqual(expected[0], actual[0], Tolerance);
        Assert.ThrowsExactly<ArgumentException>(() => managed.PredictRow([0f], actual));
    }

    /// <summary>The model with its TreeEnsembleRegressor node (or its graph) changed, checksummed again.</summary>
    private static byte[] Rewrite(byte[] model, Action<NodeProto>? ensemble = null, Action<GraphProto>? graph = null)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        proto.MetadataProps.RemoveAt(proto.MetadataProps.Count - 1);
        ensemble?.Invoke(proto.Graph.Node.Single(n => n.OpType == "TreeEnsembleRegressor"));
        graph?.Invoke(proto.Graph);
        return ModelChecksum.Append(proto.ToByteArray());
    }
}
