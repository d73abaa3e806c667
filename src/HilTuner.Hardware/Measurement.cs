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

    /// <summary>AutoTVM's costs: one mean per repeat, in seconds; empty when the run failed.</summary>
    public IReadOnlyList<double> Costs { get; init; } = [];

    /// <summary>Whether the output was compared with the reference and matched; null when not checked or not finished.</summary>
    public bool? Matches { get; init; }

    /// <summary>Unordered SRAM accesses, when races were looked for.</summary>
    public IReadOnlyList<Vta.Simulation.RaceReport> Races { get; init; } = [];

    public MeasureErrorNo ErrorNo => Status.ErrorNo();
}
