using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;

namespace HilTuner.Tuning.ValidityTraining;

/// <summary>
/// A compiled configuration and how it ended on the target: a row for the validity model (did it fail?) and for
/// the performance model (how long did it take?). <see cref="Features"/> is laid out as <see cref="ProgramFeatures"/>.
/// </summary>
public sealed record MeasuredProgram(float[] Features, MeasureStatus Status, double Seconds)
{
    /// <summary>The label the gate learns: the program failed on the target (runtime error, hang, wrong answer, …).</summary>
    public bool Failed => Status.FailedOnTarget();

    /// <summary>The target it was measured on, as its log record names it (<c>board</c>, <c>sim</c>, <c>replay</c>), when known.</summary>
    public string? Target { get; init; }

    /// <summary>Whether the status says anything about the target: the program compiled and was measured (not skipped).</summary>
    public static bool Informative(MeasureStatus status) => status.Describe().ReachedTarget;
}
