namespace HilTuner.Tuning.Validity;

/// <summary>Predicts, for rows laid out as <see cref="ProgramFeatures"/>, the probability of failing on the target.</summary>
public interface IFailurePredictor
{
    /// <summary>The decision threshold the predictor was calibrated with.</summary>
    double Threshold { get; }

    /// <summary>One probability per row of <paramref name="rows"/> (row-major, <see cref="ProgramFeatures.Count"/> values each).</summary>
    double[] FailureProbabilities(ReadOnlySpan<float> rows, int count);
}
