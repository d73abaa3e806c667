using HilTuner.Compiler.Statuses;

namespace HilTuner.Hardware;

/// <summary>The outcome of measuring one compiled configuration on a target.</summary>
public sealed record Measurement
{
    public required MeasureStatus Status { get; init; }

    /// <summary>What went wrong, in words; null when <see cref="Status"/> is <see cref="MeasureStatus.Ok"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Accelerator cycles of one run (0 when it did not finish).</summary>
    public long Cycles { get; init; }

    /// <summary>Board seconds of one run (the timing model's on the simulator; never host wall time there).</summary>
    public double Seconds { get; init; }

    /// <summary>
    /// On a target that measures something other than the timing model (a board): the model's board seconds of the
    /// same program (the simulator's run with the board file's timing), so every board record carries the model's
    /// prediction beside the measured costs. Null on the simulator (<see cref="Seconds"/> is the model's there) and
    /// when either run failed.
    /// </summary>
    public double? ModelSeconds { get; init; }

    /// <summary>AutoTVM's costs: one mean per repeat, in seconds; empty when the run failed.</summary>
    public IReadOnlyList<double> Costs { get; init; } = [];

    /// <summary>Whether the output was compared with the reference and matched; null when not checked or not finished.</summary>
    public bool? Matches { get; init; }

    /// <summary>Unordered SRAM accesses, when races were looked for.</summary>
    public IReadOnlyList<Vta.Simulation.RaceReport> Races { get; init; } = [];

    /// <summary>
    /// For a failure a board's own trouble could also cause (<see cref="MeasureStatuses.NeedsAttribution"/>), why it
    /// is charged to the configuration; null on targets where such a failure has no other cause (the simulator, a
    /// replay) and for every other status.
    /// </summary>
    public FailureAttribution? Attribution { get; init; }

    public MeasureErrorNo ErrorNo => Status.ErrorNo();
}

/// <summary>
/// Why a hang or a lost link seen on a board is the configuration's doing and not the board's (a board without its
/// bitstream, a device that stalled, an agent that died for its own reasons fail the same way).
/// </summary>
public enum FailureAttribution
{
    /// <summary>The simulator's run of the same program fails too: the program never raises done by itself.</summary>
    Predicted,

    /// <summary>It failed again when measured a second time, on a board that passed its health check in between.</summary>
    Reproduced,
}

public static class FailureAttributionNames
{
    /// <summary>The attribution as logs name it: predicted or reproduced.</summary>
    public static string JsonName(this FailureAttribution attribution) => attribution switch
    {
        FailureAttribution.Predicted => "predicted",
        FailureAttribution.Reproduced => "reproduced",
        _ => throw new ArgumentOutOfRangeException(nameof(attribution)),
    };

    /// <summary>The attribution a log names; null for an unknown name.</summary>
    public static FailureAttribution? Parse(string name) =>
        Enum.GetValues<FailureAttribution>().Select(a => (FailureAttribution?)a).FirstOrDefault(a => a!.Value.JsonName() == name);
}
