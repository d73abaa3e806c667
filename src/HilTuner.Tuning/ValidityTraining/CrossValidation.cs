namespace HilTuner.Tuning.ValidityTraining;

/// <summary>
/// How a validity model's threshold was chosen: the threshold, the folds, and on the out-of-fold predictions the
/// share of failures the gate would have caught and of good configurations it would have skipped (null without data).
/// </summary>
public sealed record CrossValidation(double Threshold, int Folds, double? FailuresCaught, double? GoodSkipped);
