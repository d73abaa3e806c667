using MathNet.Numerics.Statistics;

namespace HilTuner.Tuning.Calibration;

/// <summary>
/// How far predicted times are from measured ones, as factors (a factor of 1.25 is 25% too slow or 20% too fast):
/// the geometric mean and the worst, and Spearman's rank correlation of the two (1: the same order).
/// </summary>
public sealed record RatioErrors(double GeometricMean, double Worst, double Spearman)
{
    /// <summary>The factor between a prediction and a measurement: max(p/m, m/p), at least 1.</summary>
    public static double Factor(double predicted, double measured) => Math.Exp(Math.Abs(Math.Log(predicted / measured)));

    public static RatioErrors Of(IReadOnlyList<double> predicted, IReadOnlyList<double> measured)
    {
        var factors = predicted.Zip(measured, Factor).ToList();
        return new RatioErrors(
            Math.Exp(factors.Average(Math.Log)),
            factors.Max(),
            predicted.Count > 1 ? Correlation.Spearman(predicted, measured) : double.NaN);
    }
}
