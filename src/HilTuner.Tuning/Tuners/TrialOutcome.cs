using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// What a tuner learns from one trial: the configuration, how it ended and its GFLOPS (0 unless it ran and
/// matched — AutoTVM's penalty for a failure), with the compile features when it compiled.
/// </summary>
public sealed record TrialOutcome(Configuration Configuration, MeasureStatus Status, double Gflops)
{
    public bool Succeeded => Status == MeasureStatus.Ok;

    /// <summary>What the compiler knew of the program; null when it did not compile (or the log did not say).</summary>
    public CompileFeatures? Features { get; init; }

    /// <summary>The validity gate's probability that the program fails on the target, when the gate was asked.</summary>
    public double? FailureProbability { get; init; }
}
