namespace HilTuner.Onnx;

/// <summary>
/// Runs a HilTuner calibrated tree-ensemble ONNX model: either OnnxRuntime (<see cref="OnnxTreePredictor"/>) or the
/// managed evaluator of the same graph (<see cref="ManagedTreePredictor"/>) where OnnxRuntime has no native library.
/// </summary>
public interface ICalibratedTreePredictor : IDisposable
{
    /// <summary>The model's metadata, feature names and heads.</summary>
    OnnxModelInfo Info { get; }

    int FeatureCount { get; }

    int HeadCount { get; }

    /// <summary>The heads in the order of the values per row in <see cref="Predict(ReadOnlySpan{float}, Span{float})"/>.</summary>
    IReadOnlyList<string> HeadNames { get; }

    /// <summary>
    /// Predicts every head for <c>rows.Length / FeatureCount</c> rows given row-major in <paramref name="rows"/>.
    /// <paramref name="probabilities"/> receives row-major values, <c>[row * HeadCount + head]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The row buffer is not a whole number of rows, or the output is too small.</exception>
    void Predict(ReadOnlySpan<float> rows, Span<float> probabilities);

    /// <summary>Predicts every head for one row; <paramref name="headProbabilities"/> gets one value per head.</summary>
    void PredictRow(ReadOnlySpan<float> row, Span<float> headProbabilities);
}
