namespace HilTuner.Tuning.Session;

/// <summary>Where a task's tuning stands, reported after every trial.</summary>
public sealed record TaskProgress
{
    public required string Workload { get; init; }
    public required int Trials { get; init; }
    public required int Budget { get; init; }

    /// <summary>GFLOPS of the last trial (0 when it failed).</summary>
    public required double CurrentGflops { get; init; }

    public required double BestGflops { get; init; }

    /// <summary>1-based trial at which the best was found; 0 while nothing succeeded.</summary>
    public required int BestTrial { get; init; }

    /// <summary>Trials per status (ok, compile_error, …).</summary>
    public required IReadOnlyDictionary<string, int> Statuses { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>Best GFLOPS after each trial, for the convergence plot.</summary>
    public required IReadOnlyList<double> BestCurve { get; init; }

    /// <summary>Trials taken from the log when resuming (not measured again).</summary>
    public int Resumed { get; init; }

    public bool Finished { get; init; }

    /// <summary>Why the task ended, once <see cref="Finished"/>: the budget spent, an early stop, a space with nothing left to try.</summary>
    public string? StopReason { get; init; }

    /// <summary>Set when the log's records of the task were made by another tuner or seed (what they were made by).</summary>
    public string? ContinuedFrom { get; init; }
}
