namespace HilTuner.Tuning.Validity;

/// <summary>Predicts, for rows laid out as <see cref="ValidityFeatures"/>, the probability of failing on the target.</summary>
public interface IFailurePredictor
{
    /// <summary>The decision threshold the predictor was calibrated with.</summary>
    double Threshold { get; }

    /// <summary>One probability per row of <paramref name="rows"/> (row-major, <see cref="ValidityFeatures.Count"/> values each).</summary>
    double[] FailureProbabilities(ReadOnlySpan<float> rows, int count);
}
