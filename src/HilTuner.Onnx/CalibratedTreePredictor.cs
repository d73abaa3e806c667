namespace HilTuner.Onnx;

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
