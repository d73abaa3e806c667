namespace HilTuner.Onnx;

/// <summary>Which program evaluates a calibrated tree-ensemble ONNX model.</summary>
public enum TreeEngine
{
    /// <summary>OnnxRuntime (native libraries for linux-x64 and linux-arm64 among others, none for linux-arm).</summary>
    OnnxRuntime,

    /// <summary>
    /// <see cref="ManagedTreePredictor"/>: the file's ONNX graph evaluated in C#, for platforms without OnnxRuntime's
    /// native library (32-bit ARM Linux).
    /// </summary>
    Managed,
}
