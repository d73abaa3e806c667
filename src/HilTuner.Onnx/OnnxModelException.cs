namespace HilTuner.Onnx;

/// <summary>
/// An ONNX model file (or byte buffer) could not be used: it is missing, unreadable, not an ONNX model, not a HilTuner
/// calibrated tree-ensemble model, damaged, rejected by OnnxRuntime, or does not match what the caller expects.
/// The message always names the source (a file path or the name given for a byte buffer) and the problem.
/// </summary>
public sealed class OnnxModelException : Exception
{
    public OnnxModelException(string source, string problem, Exception? innerException = null)
        : base($"ONNX model '{source}': {problem}", innerException)
    {
        ModelSource = source;
        Problem = problem;
    }

    /// <summary>The file path, or the display name given for an in-memory model.</summary>
    public string ModelSource { get; }

    /// <summary>The problem alone, without the source.</summary>
    public string Problem { get; }
}
