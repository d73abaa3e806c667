namespace HilTuner.Onnx;

/// <summary>Names and versions of HilTuner's calibrated tree-ensemble ONNX files.</summary>
public static class OnnxTreeModelFormat
{
    /// <summary>The graph input: float [batch, featureCount], row-major.</summary>
    public const string InputName = "features";

    /// <summary>The symbolic name of the batch dimension.</summary>
    public const string BatchDimension = "batch";

    public const long IrVersion = 8;

    public const long DefaultOpsetVersion = 15;

    public const string MlDomain = "ai.onnx.ml";

    /// <summary>ai.onnx.ml opset; OnnxRuntime 1.31 rejects TreeEnsembleRegressor from opset 5 on.</summary>
    public const long MlOpsetVersion = 3;

    public const string ProducerName = "hiltuner";

    /// <summary>Metadata key: the feature names, a JSON array of strings in column order.</summary>
    public const string FeatureNamesKey = "feature_names";

    /// <summary>Metadata key: the head (output) names, a JSON array of strings in output order.</summary>
    public const string HeadNamesKey = "head_names";

    /// <summary>Metadata key: the format identifier, <see cref="FormatValue"/>.</summary>
    public const string FormatKey = "hiltuner_format";

    public const string FormatValue = "calibrated-tree-ensemble/1";

    /// <summary>The format identifier of a one-hidden-layer regression network (<see cref="MlpRegressor"/>).</summary>
    public const string MlpFormatValue = "mlp-regressor/1";

    /// <summary>Metadata key of the last entry in the file: the SHA-256 of every byte before that entry.</summary>
    public const string ChecksumKey = "hiltuner_sha256";

    /// <summary>Metadata keys the format writes itself; caller metadata must not use them.</summary>
    public static IReadOnlySet<string> ReservedMetadataKeys { get; } =
        new HashSet<string>(StringComparer.Ordinal) { FeatureNamesKey, HeadNamesKey, FormatKey, ChecksumKey };
}
