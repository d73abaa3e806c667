namespace HilTuner.Tuning.Log;

/// <summary>
/// What HilTuner records about a trial beyond AutoTVM's fields, kept under the record's <c>hiltuner</c> key
/// (AutoTVM's readers ignore it).
/// </summary>
public sealed record HilTunerFacts
{
    /// <summary>ok, compile_error, runtime_error, hang, wrong_answer, … (finer than AutoTVM's error number).</summary>
    public required string Status { get; init; }

    /// <summary>HilTuner's name of the workload, e.g. <c>resnet18.C11</c>.</summary>
    public required string Workload { get; init; }

    /// <summary>sim, replay or board.</summary>
    public required string TargetKind { get; init; }

    public required string Board { get; init; }

    /// <summary>VTA's configuration string, e.g. <c>1x16_i8w8a32_15_15_18_17</c>.</summary>
    public required string VtaConfig { get; init; }

    public required string Tuner { get; init; }

    /// <summary>The tuning run's seed; null in records of versions that did not write it.</summary>
    public int? Seed { get; init; }

    /// <summary>1-based position of the trial in its task's tuning run.</summary>
    public required int Trial { get; init; }

    /// <summary>Accelerator cycles of one run; 0 when it did not finish.</summary>
    public long Cycles { get; init; }

    /// <summary>
    /// A board record's timing-model prediction: the model's board seconds of the same program with the board file's
    /// timing (<c>model_seconds</c>), to set beside the measured costs; null elsewhere.
    /// </summary>
    public double? ModelSeconds { get; init; }

    /// <summary>
    /// Why a hang or lost link on a board is charged to the configuration (predicted, reproduced); null elsewhere.
    /// A board record of such a failure without it was never attributed, and a resumed run measures it again.
    /// </summary>
    public string? Attribution { get; init; }

    /// <summary>What went wrong, in words.</summary>
    public string? Error { get; init; }

    /// <summary>The validity gate's probability that the program fails on the target, when a gate was asked.</summary>
    public double? FailureProbability { get; init; }

    /// <summary>The compile features (names as in <c>CompileFeatures.Definitions</c>), when it compiled.</summary>
    public IReadOnlyDictionary<string, double>? Features { get; init; }
}
