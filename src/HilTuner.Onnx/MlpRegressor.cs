using System.Globalization;
using Google.Protobuf;
using HilTuner.Onnx.Proto;

namespace HilTuner.Onnx;

/// <summary>
/// A regression network with one hidden ReLU layer over log-scaled, standardised inputs, predicting a log value:
/// <c>y = exp(t_mean + t_scale · (w2 · relu(W1 · ((ln(1 + x) − mean) / scale) + b1) + b2))</c>. The weights are kept
/// in float, as the ONNX file holds them, so that <see cref="Predict"/> (in double) and OnnxRuntime (in float) compute
/// the same function. Written as standard ONNX (Add, Log, Sub, Div, Gemm, Relu, Gemm, Mul, Add, Exp; IR 8, opset 15).
/// </summary>
public sealed class MlpRegressor
{
    /// <summary>The one output: the predicted value (e.g. seconds), float [batch, 1].</summary>
    public const string OutputName = "seconds";

    private readonly string[] _featureNames;
    private readonly float[] _mean;
    private readonly float[] _scale;
    private readonly float[] _w1;
    private readonly float[] _b1;
    private readonly float[] _w2;

    /// <param name="w1">Hidden weights, row-major [hidden, features].</param>
    public MlpRegressor(
        IReadOnlyList<string> featureNames,
        IReadOnlyList<double> mean,
        IReadOnlyList<double> scale,
        IReadOnlyList<double> w1,
        IReadOnlyList<double> b1,
        IReadOnlyList<double> w2,
        double b2,
        double targetMean,
        double targetScale,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        _featureNames = [.. featureNames];
        var d = _featureNames.Length;
        var h = b1.Count;
        if (d == 0 || h == 0 || mean.Count != d || scale.Count != d || w1.Count != d * h || w2.Count != h)
        {
            throw new ArgumentException($"inconsistent network: {d} features, {h} hidden units, {mean.Count} means, {scale.Count} scales, {w1.Count} hidden weights, {w2.Count} output weights");
        }

        _mean = [.. mean.Select(v => (float)v)];
        _scale = [.. scale.Select(v => (float)v)];
        _w1 = [.. w1.Select(v => (float)v)];
        _b1 = [.. b1.Select(v => (float)v)];
        _w2 = [.. w2.Select(v => (float)v)];
        B2 = (float)b2;
        TargetMean = (float)targetMean;
        TargetScale = (float)targetScale;
        Metadata = metadata ?? new Dictionary<string, string>();
        foreach (var key in Metadata.Keys.Where(OnnxTreeModelFormat.ReservedMetadataKeys.Contains))
        {
            throw new ArgumentException($"metadata key '{key}' is reserved by the file format");
        }
    }

    public IReadOnlyList<string> FeatureNames => _featureNames;

    public int FeatureCount => _featureNames.Length;

    public int HiddenUnits => _b1.Length;

    /// <summary>Trainable parameters: hidden weights and biases, output weights and bias (the scalers are fitted, not trained).</summary>
    public int Parameters => ParameterCount(FeatureCount, HiddenUnits);

    public IReadOnlyList<float> Mean => _mean;

    public IReadOnlyList<float> Scale => _scale;

    public float B2 { get; }

    public float TargetMean { get; }

    public float TargetScale { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Trainable parameters of a network with <paramref name="features"/> inputs and <paramref name="hidden"/> units.</summary>
    public static int ParameterCount(int features, int hidden) => (features * hidden) + hidden + hidden + 1;

    /// <summary>The network's value for one row (in the order of <see cref="FeatureNames"/>), computed in double.</summary>
    public double Predict(ReadOnlySpan<float> row) => Math.Exp(PredictLog(row));

    /// <summary>The log of <see cref="Predict"/>.</summary>
    public double PredictLog(ReadOnlySpan<float> row)
    {
        if (row.Length != FeatureCount)
        {
            throw new ArgumentException($"a row of this network has {FeatureCount} values, not {row.Length}", nameof(row));
        }

        Span<double> z = stackalloc double[FeatureCount];
        for (var j = 0; j < z.Length; j++)
        {
            z[j] = (Math.Log(1.0 + row[j]) - _mean[j]) / _scale[j];
        }

        double output = B2;
        for (var k = 0; k < HiddenUnits; k++)
        {
            double a = _b1[k];
            for (var j = 0; j < z.Length; j++)
            {
                a += _w1[(k * FeatureCount) + j] * z[j];
            }

            output += _w2[k] * Math.Max(0, a);
        }

        return TargetMean + (TargetScale * output);
    }

    /// <summary>The model as ONNX bytes (with the format's metadata and checksum).</summary>
    public byte[] ToBytes()
    {
        var d = FeatureCount;
        var h = HiddenUnits;
        var graph = new GraphProto { Name = "hiltuner_mlp_regressor" };
        graph.Input.Add(OnnxTreeModelWriter.FloatMatrix(OnnxTreeModelFormat.InputName, d, "raw inputs, in the order of the feature_names metadata"));
        graph.Output.Add(OnnxTreeModelWriter.FloatMatrix(OutputName, 1, "the predicted value"));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("one", [1], [1f]));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("mean", [d], _mean));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("scale", [d], _scale));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("w1", [h, d], _w1));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("b1", [h], _b1));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("w2", [1, h], _w2));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("b2", [1], [B2]));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("target_scale", [1], [TargetScale]));
        graph.Initializer.Add(OnnxTreeModelWriter.FloatTensor("target_mean", [1], [TargetMean]));
        graph.Node.Add(OnnxTreeModelWriter.Node("Add", "shift", [OnnxTreeModelFormat.InputName, "one"], "shifted"));
        graph.Node.Add(OnnxTreeModelWriter.Node("Log", "log", ["shifted"], "logged"));
        graph.Node.Add(OnnxTreeModelWriter.Node("Sub", "centre", ["logged", "mean"], "centred"));
        graph.Node.Add(OnnxTreeModelWriter.Node("Div", "standardise", ["centred", "scale"], "standard"));
        graph.Node.Add(Gemm("hidden", ["standard", "w1", "b1"], "hidden_linear"));
        graph.Node.Add(OnnxTreeModelWriter.Node("Relu", "relu", ["hidden_linear"], "hidden_out"));
        graph.Node.Add(Gemm("output", ["hidden_out", "w2", "b2"], "standard_log"));
        graph.Node.Add(OnnxTreeModelWriter.Node("Mul", "unscale", ["standard_log", "target_scale"], "scaled_log"));
        graph.Node.Add(OnnxTreeModelWriter.Node("Add", "uncentre", ["scaled_log", "target_mean"], "log_value"));
        graph.Node.Add(OnnxTreeModelWriter.Node("Exp", "exp", ["log_value"], OutputName));

        return OnnxTreeModelWriter.ModelBytes(
            graph,
            string.Create(CultureInfo.InvariantCulture,
                $"HilTuner regression network: {d} inputs, ln(1 + x) then standardised, one hidden ReLU layer of {h} units, a linear output read as a standardised log value; {Parameters} trainable parameters."),
            withMlOpset: false, OnnxTreeModelFormat.MlpFormatValue, _featureNames, [OutputName], Metadata);
    }

    /// <summary>Writes the model to <paramref name="path"/> (next to it, then renamed over it).</summary>
    public void Save(string path) => OnnxTreeModelWriter.WriteAtomically(ToBytes(), path);

    /// <summary>Reads a network written by <see cref="Save"/>; throws <see cref="OnnxModelException"/> naming the file and the problem.</summary>
    public static MlpRegressor Load(string path) => FromBytes(OnnxTreeModelReader.ReadFile(path), path);

    /// <summary>Reads a network held in memory; <paramref name="source"/> names it in errors.</summary>
    public static MlpRegressor FromBytes(ReadOnlySpan<byte> bytes, string source)
    {
        var (info, proto) = OnnxTreeModelReader.Read(bytes, source);
        if (info.Format != OnnxTreeModelFormat.MlpFormatValue)
        {
            throw new OnnxModelException(source, $"it is a '{info.Format}' model, not a regression network ('{OnnxTreeModelFormat.MlpFormatValue}')");
        }

        var tensors = proto.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        float[] Values(string name, int count)
        {
            if (!tensors.TryGetValue(name, out var tensor) || tensor.FloatData.Count != count)
            {
                throw new OnnxModelException(source, $"its initializer '{name}' is missing or does not hold {count} floats");
            }

            return [.. tensor.FloatData];
        }

        var d = info.FeatureCount;
        var h = tensors.TryGetValue("b1", out var b1) ? b1.FloatData.Count : 0;
        if (h == 0)
        {
            throw new OnnxModelException(source, "it has no hidden layer (initializer 'b1')");
        }

        var scale = Values("scale", d);
        var targetScale = Values("target_scale", 1)[0];
        if (scale.Any(s => !(s > 0)) || !(targetScale > 0))
        {
            throw new OnnxModelException(source, "a scale of its inputs or of its target is not positive");
        }

        return new MlpRegressor(
            info.FeatureNames,
            [.. Values("mean", d).Select(v => (double)v)],
            [.. scale.Select(v => (double)v)],
            [.. Values("w1", d * h).Select(v => (double)v)],
            [.. Values("b1", h).Select(v => (double)v)],
            [.. Values("w2", h).Select(v => (double)v)],
            Values("b2", 1)[0],
            Values("target_mean", 1)[0],
            targetScale,
            info.Metadata);
    }

    private static NodeProto Gemm(string name, string[] inputs, string output)
    {
        var node = OnnxTreeModelWriter.Node("Gemm", name, inputs, output);
        node.Attribute.Add(OnnxTreeModelWriter.Int("transB", 1));
        return node;
    }
}
