namespace HilTuner.Validity;

/// <summary>The metadata keys and head names of a HilTuner validity model file.</summary>
public static class ValidityModelFormat
{
    /// <summary>The head the gate decides on: probability of any failure on the target.</summary>
    public const string FailHead = "p_fail";

    public const string KindKey = "hiltuner.kind";
    public const string Kind = "validity";
    public const string VtaConfigKey = "vta_config";
    public const string BoardKey = "board";
    public const string ThresholdKey = "threshold";
    public const string TrainingRowsKey = "training_rows";
    public const string TrainingFailuresKey = "training_failures";
    public const string ClassCountsKey = "class_counts";
    public const string CompilerKey = "compile_features";

    /// <summary>The head of one failure class, e.g. <c>p_runtime_error</c>.</summary>
    public static string ClassHead(string status) => "p_" + status;

    /// <summary>Where the ML.NET form of a model is kept, beside its ONNX file (for <c>--engine mlnet</c>).</summary>
    public static string MlNetPath(string onnxPath) => Path.ChangeExtension(onnxPath, ".mlnet.zip");
}
