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

/// <summary>Which program evaluates a calibrated tree-ensemble ONNX model.</summary>
public enum TreeEngine
{
    /// <summary>OnnxRuntime (native; linux-x64, linux-arm64, win-x64, osx).</summary>
    OnnxRuntime,

    /// <summary>
    /// <see cref="ManagedTreePredictor"/>: the file's ONNX graph evaluated in C#, for platforms without OnnxRuntime's
    /// native library (32-bit ARM Linux).
    /// </summary>
    Managed,
}

/// <summary>Opens a model file with the engine its options name.</summary>
public static class CalibratedTreePredictor
{
    /// <summary>Opens the model file at <paramref name="path"/> with <see cref="OnnxPredictorOptions.Engine"/>.</summary>
    /// <exception cref="OnnxModelException">The file is missing, damaged, not such a model, or rejected by the engine.</exception>
    public static ICalibratedTreePredictor Open(string path, OnnxPredictorOptions? options = null) =>
        (options?.Engine ?? TreeEngine.OnnxRuntime) switch
        {
            TreeEngine.Managed => ManagedTreePredictor.Open(path, options),
            _ => OnnxTreePredictor.Open(path, options),
        };

    /// <summary>
    /// The number of rows in <paramref name="rows"/>, after checking that they are whole rows and that
    /// <paramref name="probabilities"/> has room for every head of each.
    /// </summary>
    internal static int RowCount(ICalibratedTreePredictor predictor, ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        int features = predictor.FeatureCount;
        if (rows.Length % features != 0)
        {
            throw new ArgumentException(
                $"{rows.Length} values are not a whole number of rows of {features} features (model '{predictor.Info.Source}')",
                nameof(rows));
        }

        int rowCount = rows.Length / features;
        if (probabilities.Length < (long)rowCount * predictor.HeadCount)
        {
            throw new ArgumentException(
                $"{rowCount} rows need {(long)rowCount * predictor.HeadCount} output values, the buffer holds {probabilities.Length}",
                nameof(probabilities));
        }

        return rowCount;
    }

    /// <summary>Checks that <paramref name="row"/> is one row of the model's features.</summary>
    internal static void CheckRow(ICalibratedTreePredictor predictor, ReadOnlySpan<float> row)
    {
        if (row.Length != predictor.FeatureCount)
        {
            throw new ArgumentException(
                $"a row has {row.Length} values but model '{predictor.Info.Source}' takes {predictor.FeatureCount} features", nameof(row));
        }
    }
}
