using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using HilTuner.Onnx.Proto;

namespace HilTuner.Onnx;

/// <summary>
/// Writes a <see cref="CalibratedTreeModel"/> as a standard ONNX model: input <c>features</c> float [batch, F]; per
/// head an ai.onnx.ml <c>TreeEnsembleRegressor</c> (BRANCH_LEQ, NaN goes to the false branch like ML.NET), then
/// Mul(slope), Add(offset), Neg and Sigmoid into the output named after the head, float [batch, 1].
/// IR version 8, default opset 15, ai.onnx.ml opset 3.
/// </summary>
public static class OnnxTreeModelWriter
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;

    /// <summary>Serializes the model to ONNX bytes.</summary>
    public static byte[] ToBytes(CalibratedTreeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ModelBytes(
            BuildGraph(model), BuildDocString(model), withMlOpset: true, OnnxTreeModelFormat.FormatValue, model.FeatureNames,
            model.Heads.Select(h => h.Name), model.Metadata);
    }

    /// <summary>
    /// A graph in this project's ONNX envelope, as bytes: IR version, producer, the default opset (and ai.onnx.ml's when
    /// <paramref name="withMlOpset"/>), the format, feature and head names, the caller's metadata sorted by key, and the
    /// checksum.
    /// </summary>
    internal static byte[] ModelBytes(
        GraphProto graph,
        string docString,
        bool withMlOpset,
        string format,
        IEnumerable<string> featureNames,
        IEnumerable<string> headNames,
        IReadOnlyDictionary<string, string> metadata)
    {
        var proto = new ModelProto
        {
            IrVersion = OnnxTreeModelFormat.IrVersion,
            ProducerName = OnnxTreeModelFormat.ProducerName,
            ProducerVersion = "1",
            ModelVersion = 1,
            DocString = docString,
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OnnxTreeModelFormat.DefaultOpsetVersion });
        if (withMlOpset)
        {
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = OnnxTreeModelFormat.MlDomain, Version = OnnxTreeModelFormat.MlOpsetVersion });
        }

        AddMetadata(proto, OnnxTreeModelFormat.FormatKey, format);
        AddMetadata(proto, OnnxTreeModelFormat.FeatureNamesKey, ToJsonArray(featureNames));
        AddMetadata(proto, OnnxTreeModelFormat.HeadNamesKey, ToJsonArray(headNames));
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            AddMetadata(proto, key, value);
        }

        return ModelChecksum.Append(proto.ToByteArray());
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/> (creating its directory). The file is written next to the target
    /// and then renamed over it, so a reader never sees a half-written model.
    /// </summary>
    public static void WriteFile(CalibratedTreeModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        WriteAtomically(ToBytes(model), path);
    }

    /// <summary>Writes <paramref name="bytes"/> next to <paramref name="path"/> and renames them over it (creating its directory).</summary>
    internal static void WriteAtomically(byte[] bytes, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        string temporary = full + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static GraphProto BuildGraph(CalibratedTreeModel model)
    {
        var graph = new GraphProto
        {
            Name = "hiltuner_calibrated_trees",
            DocString = "Calibrated gradient-boosted tree heads over one feature vector.",
        };
        graph.Input.Add(FloatMatrix(OnnxTreeModelFormat.InputName, model.FeatureCount, "row-major feature vectors"));

        foreach (var head in model.Heads)
        {
            string prefix = "hiltuner/" + head.Name + "/";
            string score = prefix + "score";
            string scaled = prefix + "scaled";
            string logit = prefix + "logit";
            string negated = prefix + "negated";
            string slope = prefix + "slope";
            string offset = prefix + "offset";

            graph.Node.Add(BuildEnsembleNode(head, prefix + "trees", score));
            graph.Initializer.Add(FloatTensor(slope, [1], [(float)head.PlattSlope]));
            graph.Initializer.Add(FloatTensor(offset, [1], [(float)head.PlattOffset]));
            graph.Node.Add(Node("Mul", prefix + "mul_slope", [score, slope], scaled));
            graph.Node.Add(Node("Add", prefix + "add_offset", [scaled, offset], logit));
            graph.Node.Add(Node("Neg", prefix + "neg", [logit], negated));
            graph.Node.Add(Node("Sigmoid", prefix + "sigmoid", [negated], head.Name));
            graph.Output.Add(FloatMatrix(head.Name, 1, "calibrated probability of head " + head.Name));

            // Declared so that tools without shape inference for ai.onnx.ml operators still know every value's type.
            graph.ValueInfo.Add(FloatMatrix(score, 1, "raw score: bias + sum of tree leaf values"));
            graph.ValueInfo.Add(FloatMatrix(scaled, 1, "slope * score"));
            graph.ValueInfo.Add(FloatMatrix(logit, 1, "slope * score + offset"));
            graph.ValueInfo.Add(FloatMatrix(negated, 1, "-(slope * score + offset)"));
        }

        return graph;
    }

    private static NodeProto BuildEnsembleNode(CalibratedTreeHead head, string nodeName, string output)
    {
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var featureIds = new List<long>();
        var values = new List<float>();
        var modes = new List<ByteString>();
        var trueIds = new List<long>();
        var falseIds = new List<long>();
        var missingTracksTrue = new List<long>();
        var targetTreeIds = new List<long>();
        var targetNodeIds = new List<long>();
        var targetIds = new List<long>();
        var targetWeights = new List<float>();

        var branch = ByteString.CopyFromUtf8("BRANCH_LEQ");
        var leaf = ByteString.CopyFromUtf8("LEAF");

        // One node's entry in the node columns (NaN never tracks the true branch).
        void AddNode(int tree, long node, long feature, float value, ByteString mode, long trueId, long falseId)
        {
            treeIds.Add(tree);
            nodeIds.Add(node);
            featureIds.Add(feature);
            values.Add(value);
            modes.Add(mode);
            trueIds.Add(trueId);
            falseIds.Add(falseId);
            missingTracksTrue.Add(0);
        }

        // TreeEnsembleRegressor needs at least one node: a head without trees gets one leaf worth 0.
        IReadOnlyList<RegressionTreeArrays> trees = head.Trees.Count > 0 ? head.Trees : [RegressionTreeArrays.SingleLeaf(0)];
        IReadOnlyList<double> weights = head.Trees.Count > 0 ? head.TreeWeights : [1.0];

        for (int t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            int splits = tree.SplitCount;

            // Node ids per tree: split n keeps id n, leaf j gets id splits + j.
            long Id(int child) => child >= 0 ? child : splits + ~child;

            for (int n = 0; n < splits; n++)
            {
                AddNode(t, n, tree.SplitFeature[n], tree.Threshold[n], branch, Id(tree.LeftChild[n]), Id(tree.RightChild[n]));
            }

            for (int j = 0; j < tree.LeafCount; j++)
            {
                AddNode(t, splits + j, 0, 0f, leaf, 0, 0);
                targetTreeIds.Add(t);
                targetNodeIds.Add(splits + j);
                targetIds.Add(0);
                targetWeights.Add((float)(tree.LeafValues[j] * weights[t]));
            }
        }

        var node = Node("TreeEnsembleRegressor", nodeName, [OnnxTreeModelFormat.InputName], output);
        node.Domain = OnnxTreeModelFormat.MlDomain;
        node.Attribute.Add(Ints("nodes_treeids", treeIds));
        node.Attribute.Add(Ints("nodes_nodeids", nodeIds));
        node.Attribute.Add(Ints("nodes_featureids", featureIds));
        node.Attribute.Add(Floats("nodes_values", values));
        node.Attribute.Add(Strings("nodes_modes", modes));
        node.Attribute.Add(Ints("nodes_truenodeids", trueIds));
        node.Attribute.Add(Ints("nodes_falsenodeids", falseIds));
        node.Attribute.Add(Ints("nodes_missing_value_tracks_true", missingTracksTrue));
        node.Attribute.Add(Ints("target_treeids", targetTreeIds));
        node.Attribute.Add(Ints("target_nodeids", targetNodeIds));
        node.Attribute.Add(Ints("target_ids", targetIds));
        node.Attribute.Add(Floats("target_weights", targetWeights));
        node.Attribute.Add(Floats("base_values", [(float)head.Bias]));
        node.Attribute.Add(Int("n_targets", 1));
        node.Attribute.Add(Text("post_transform", "NONE"));
        node.Attribute.Add(Text("aggregate_function", "SUM"));
        return node;
    }

    internal static NodeProto Node(string opType, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    internal static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, IEnumerable<long> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    private static AttributeProto Floats(string name, IEnumerable<float> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Floats, Floats = { values } };

    private static AttributeProto Strings(string name, IEnumerable<ByteString> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Strings, Strings = { values } };

    private static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A float initializer of shape <paramref name="dims"/>.</summary>
    internal static TensorProto FloatTensor(string name, long[] dims, IEnumerable<float> values) =>
        new() { Name = name, DataType = FloatType, Dims = { dims }, FloatData = { values } };

    internal static ValueInfoProto FloatMatrix(string name, long columns, string doc)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxTreeModelFormat.BatchDimension });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = columns });
        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = shape } },
        };
    }

    internal static void AddMetadata(ModelProto proto, string key, string value) =>
        proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

    internal static string ToJsonArray(IEnumerable<string> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (string value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string BuildDocString(CalibratedTreeModel model)
    {
        var text = new StringBuilder();
        text.Append("HilTuner calibrated gradient-boosted tree classifier(s) over ")
            .Append(model.FeatureCount.ToString(CultureInfo.InvariantCulture))
            .Append(" features. Each output is P = 1 / (1 + exp(slope * score + offset)) with score = bias + ")
            .Append("sum of tree leaf values (a split goes left when feature <= threshold; NaN goes right). Heads:");
        foreach (var head in model.Heads)
        {
            text.Append(' ').Append(head.Name).Append(" (")
                .Append(head.Trees.Count.ToString(CultureInfo.InvariantCulture)).Append(" trees)");
        }

        return text.Append('.').ToString();
    }
}
