namespace HilTuner.Tuning.Tuners;

/// <summary>
/// A model-based tuner's cost model (AutoTVM's <c>CostModel</c>): it learns from the task's outcomes and scores
/// configurations of the task's space, higher meaning more worth measuring. Only the order of the scores matters.
/// </summary>
public interface ICostModel
{
    /// <summary>
    /// Fits on the outcomes the tuner learns from, in the order they came; false when they hold nothing to learn
    /// from (the model stays as it was).
    /// </summary>
    bool Fit(IReadOnlyList<TrialOutcome> observations);

    /// <summary>The score of the configuration at <paramref name="index"/> (higher is better).</summary>
    double Predict(long index);
}
