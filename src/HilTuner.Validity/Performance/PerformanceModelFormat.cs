using HilTuner.Compiler;

namespace HilTuner.Validity.Performance;

/// <summary>The metadata keys of a HilTuner performance model file (a regression network predicting board seconds).</summary>
public static class PerformanceModelFormat
{
    /// <summary>The value of <see cref="ValidityModelFormat.KindKey"/> in a performance model.</summary>
    public const string Kind = "performance";

    /// <summary>Which predictor it is (<c>lann</c>, <c>ffnn</c>, <c>ffnn-large</c>).</summary>
    public const string PredictorKey = "predictor";
    public const string TrainingRowsKey = "training_rows";
    public const string TrainingTargetsKey = "training_targets";
    public const string ScalingKey = "scaling";
    public const string TargetKey = "target";
    public const string ParametersKey = "parameters";

    /// <summary>How the inputs are scaled, in words (the file's <see cref="ScalingKey"/>).</summary>
    public const string Scaling = "ln(1 + x), then standardised with the training rows' mean and standard deviation";

    /// <summary>What the network's output is, in words (the file's <see cref="TargetKey"/>).</summary>
    public const string Target = "ln(seconds), standardised with the training rows' mean and standard deviation; the graph's output is seconds";

    /// <summary>The positions in a <see cref="ProgramFeatures"/> row of <paramref name="names"/>; null when one is not a program feature.</summary>
    public static int[]? Columns(IReadOnlyList<string> names)
    {
        var all = ProgramFeatures.Names.ToList();
        var columns = new int[names.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = all.IndexOf(names[i]);
            if (columns[i] < 0)
            {
                return null;
            }
        }

        return columns;
    }

    /// <summary>The values of <paramref name="columns"/> of a <see cref="ProgramFeatures"/> row, written into <paramref name="into"/>.</summary>
    public static void Select(ReadOnlySpan<float> programRow, int[] columns, Span<float> into)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            into[i] = programRow[columns[i]];
        }
    }
}
