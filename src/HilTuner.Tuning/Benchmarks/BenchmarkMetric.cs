namespace HilTuner.Tuning.Benchmarks;

/// <summary>The figures a benchmark compares, each a mean over a tuner's runs on one layer (smaller is better).</summary>
public enum BenchmarkMetric
{
    /// <summary>Board measurements until the optimum was measured (a run that never got there: all of its measurements + 1).</summary>
    MeasurementsToBest,

    /// <summary>Trials until the optimum was measured (a run that never got there: all of its trials + 1).</summary>
    TrialsToBest,

    /// <summary>Trials that did not end ok, compile errors and skips included.</summary>
    FailedTrials,

    /// <summary>Configurations sent to the board that failed there.</summary>
    InvalidMeasurements,

    /// <summary>Board seconds lost to hangs and resets.</summary>
    LostSeconds,
}

public static class BenchmarkMetricNames
{
    public static string JsonName(this BenchmarkMetric metric) => metric switch
    {
        BenchmarkMetric.MeasurementsToBest => "measurements_to_best",
        BenchmarkMetric.TrialsToBest => "trials_to_best",
        BenchmarkMetric.FailedTrials => "failed_trials",
        BenchmarkMetric.InvalidMeasurements => "invalid_measurements",
        BenchmarkMetric.LostSeconds => "lost_seconds",
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    /// <summary>
    /// What a run that measures the layer's best first scores on the figure: one board measurement and one trial to
    /// the best; null for the figures where such a run sets no floor (failures and lost time are the gate's, not luck's).
    /// </summary>
    public static double? BestFirst(this BenchmarkMetric metric) => metric switch
    {
        BenchmarkMetric.MeasurementsToBest or BenchmarkMetric.TrialsToBest => 1,
        _ => null,
    };

    public static double Of(this BenchmarkMetric metric, RunMetrics run) => metric switch
    {
        BenchmarkMetric.MeasurementsToBest => run.MeasurementsToBestOrPenalty,
        BenchmarkMetric.TrialsToBest => run.TrialsToBestOrPenalty,
        BenchmarkMetric.FailedTrials => run.FailedTrials,
        BenchmarkMetric.InvalidMeasurements => run.InvalidMeasurements,
        BenchmarkMetric.LostSeconds => run.LostSeconds,
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };
}
