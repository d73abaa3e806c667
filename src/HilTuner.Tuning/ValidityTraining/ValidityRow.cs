namespace HilTuner.Tuning.ValidityTraining;

/// <summary>An ML.NET row of the validity model: the features and whether the configuration failed.</summary>
public sealed class ValidityRow
{
    public bool Label { get; set; }

    public float[] Features { get; set; } = [];
}
