namespace HilTuner.Tuning.ValidityTraining;

/// <summary>How a validity model is trained and where its decision threshold is put.</summary>
public sealed record ValidityTrainingOptions
{
    public int Trees { get; init; } = 100;
    public int Leaves { get; init; } = 16;
    public double LearningRate { get; init; } = 0.2;
    public int MinimumExamplesPerLeaf { get; init; } = 3;

    /// <summary>
    /// The threshold is the lowest probability at which at most this share of the configurations that ran
    /// correctly would have been skipped (judged on out-of-fold predictions): skipping the best configuration costs
    /// more than measuring a bad one.
    /// </summary>
    public double MaxFalseSkip { get; init; } = 0.01;

    /// <summary>Cross-validation folds for choosing the threshold.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>A failure class gets its own head once it has this many examples (and as many of the rest).</summary>
    public int MinimumClassExamples { get; init; } = 10;

    public int Seed { get; init; }
}
