using Microsoft.ML.Data;

namespace HilTuner.Tuning.ValidityTraining;

/// <summary>What ML.NET's calibrated binary classifier says of one row.</summary>
public sealed class ValidityPrediction
{
    [ColumnName("Probability")]
    public float Probability { get; set; }
}
