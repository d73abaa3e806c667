using MathNet.Numerics.Statistics;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>A figure and its 95% interval (percentile bootstrap).</summary>
public sealed record Interval(double Value, double Low, double High);

/// <summary>One layer of one truth board: a figure of a tuner's runs and of the baseline's runs (one value per seed).</summary>
public sealed record RatioCell(IReadOnlyList<double> Mine, IReadOnlyList<double> Baseline);

/// <summary>
/// Ratios of means and their geometric means, with percentile-bootstrap intervals: each resample draws, within every
/// truth board, its layers with replacement and, within every layer drawn, the tuner's and the baseline's runs with
/// replacement (seeds), and computes the figure again; the interval is the 2.5th and 97.5th percentile of the
/// resamples. The draws come from a fixed seed, so the same runs give the same interval.
/// </summary>
public static class Bootstrap
{
    public const int Seed = 20_505;

    /// <summary>
    /// The tuner's mean over the baseline's; null when the baseline's is zero (no ratio exists). A tuner mean of zero
    /// counts as <paramref name="zero"/> (the measurement's resolution) so that a zero does not make a geometric mean vanish.
    /// </summary>
    public static double? Ratio(IEnumerable<double> mine, IEnumerable<double> baseline, double zero)
    {
        var b = baseline.DefaultIfEmpty(0).Average();
        if (b <= 0)
        {
            return null;
        }

        var m = mine.DefaultIfEmpty(0).Average();
        return (m <= 0 ? zero : m) / b;
    }

    /// <summary>The geometric mean of the ratios that exist over every cell of every group; null when none does.</summary>
    public static double? GeometricMean(IEnumerable<IEnumerable<RatioCell>> groups, double zero)
    {
        var logs = groups.SelectMany(g => g).Select(c => Ratio(c.Mine, c.Baseline, zero)).OfType<double>().Select(r => Math.Log(r)).ToList();
        return logs.Count == 0 ? null : Math.Exp(logs.Average());
    }

    /// <summary>The geometric mean of <paramref name="groups"/> and its 95% percentile-bootstrap interval; null when no ratio exists.</summary>
    public static Interval? GeometricMeanInterval(IReadOnlyList<IReadOnlyList<RatioCell>> groups, double zero, int resamples)
    {
        if (GeometricMean(groups, zero) is not { } value)
        {
            return null;
        }

        var random = new Random(Seed);
        var draws = new List<double>(resamples);
        for (var k = 0; k < resamples; k++)
        {
            var resampled = groups.Select(g => Enumerable.Range(0, g.Count).Select(_ => g[random.Next(g.Count)])
                .Select(c => new RatioCell(Draw(c.Mine, random), Draw(c.Baseline, random))).ToList());
            if (GeometricMean(resampled, zero) is { } r)
            {
                draws.Add(r);
            }
        }

        return draws.Count == 0 ? new Interval(value, value, value) : new Interval(value, draws.Quantile(0.025), draws.Quantile(0.975));
    }

    private static double[] Draw(IReadOnlyList<double> values, Random random) =>
        values.Count == 0 ? [] : [.. Enumerable.Range(0, values.Count).Select(_ => values[random.Next(values.Count)])];
}
