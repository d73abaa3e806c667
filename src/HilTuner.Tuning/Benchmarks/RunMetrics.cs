namespace HilTuner.Tuning.Benchmarks;

/// <summary>What one tuning run of one tuner on one layer did, against the truth board's ground truth.</summary>
public sealed record RunMetrics
{
    public required string Tuner { get; init; }
    public required string Workload { get; init; }
    public required int Seed { get; init; }

    /// <summary>Trials the run made (proposals, compile errors and skips included).</summary>
    public required int Trials { get; init; }

    /// <summary>Configurations sent to the target (compiled and not skipped).</summary>
    public required int Measurements { get; init; }

    /// <summary>
    /// 1-based trial at which the best was measured (the optimum, or a configuration within the benchmark's tolerance of
    /// it); null when the run never reached it.
    /// </summary>
    public int? TrialsToBest { get; init; }

    /// <summary>Measurements up to and including the best's; null when the run never reached it.</summary>
    public int? MeasurementsToBest { get; init; }

    /// <summary>Trials that did not end ok (any failure, compile errors and skips included).</summary>
    public required int FailedTrials { get; init; }

    /// <summary>Measurements that failed on the target (runtime error, hang, wrong answer, reset, lost link).</summary>
    public required int InvalidMeasurements { get; init; }

    /// <summary>Board seconds lost to hangs and resets (the watchdog's timeout for each hang).</summary>
    public required double LostSeconds { get; init; }

    /// <summary>Best GFLOPS after each trial.</summary>
    public required IReadOnlyList<double> BestCurve { get; init; }

    /// <summary>The truth board's best GFLOPS (without noise) after each board measurement.</summary>
    public IReadOnlyList<double> BestByMeasurement { get; init; } = [];

    /// <summary>Records of earlier layers (measured by this tuner in this sequence) and of transfer logs the run learnt from.</summary>
    public int PriorRecords { get; init; }

    /// <summary>The configurations the run proposed, in order (what the tuner did, for comparing runs).</summary>
    public IReadOnlyList<long> Proposals { get; init; } = [];

    /// <summary>Trials to the optimum, or one more than the run made when it never reached it (a penalty, never a success).</summary>
    public int TrialsToBestOrPenalty => TrialsToBest ?? Trials + 1;

    /// <summary>Measurements to the optimum, or one more than the run made when it never reached it.</summary>
    public int MeasurementsToBestOrPenalty => MeasurementsToBest ?? Measurements + 1;
}
