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
