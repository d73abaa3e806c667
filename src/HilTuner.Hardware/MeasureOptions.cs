namespace HilTuner.Hardware;

/// <summary>
/// How a runner measures, as AutoTVM's runners take it: <see cref="Number"/> runs averaged into one cost,
/// <see cref="Repeat"/> such costs, runs lengthened to at least <see cref="MinRepeatMs"/>, and a
/// <see cref="TimeoutSeconds"/> after which the run counts as hung. The defaults are AutoTVM's <c>RPCRunner</c>'s.
/// </summary>
public sealed record MeasureOptions
{
    public int Number { get; init; } = 4;
    public int Repeat { get; init; } = 3;
    public double MinRepeatMs { get; init; }

    /// <summary>Board seconds one run may take before the watchdog fires.</summary>
    public double TimeoutSeconds { get; init; } = 10;

    /// <summary>Compare every output with the reference (a mismatch is WRONG_ANSWER).</summary>
    public bool CheckOutput { get; init; } = true;

    public static MeasureOptions Default { get; } = new();

    /// <summary>The costs of a run that takes the same <paramref name="seconds"/> every time (a simulation, a replay): one per repeat.</summary>
    public double[] RepeatedCosts(double seconds) => Enumerable.Repeat(seconds, Math.Max(1, Repeat)).ToArray();
}
