using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Models;
using HilTuner.Tuning.ValidityTraining;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// What a tuner may know before it measures anything of its task: a validity model (ModelV, from a file or trained
/// on other tasks) and programs of other tasks measured on the same board (for transfer of the performance model).
/// </summary>
public sealed class TunerPriors
{
    private readonly Lazy<PerformanceModel?> _performance;

    public TunerPriors() => _performance = new(() => PerformanceModel.TrainPrior(Programs, seed: 0));

    public static TunerPriors None { get; } = new();

    /// <summary>Probability of failure on the target; null when no model is at hand.</summary>
    public IValidityModel? Validity { get; init; }

    /// <summary>Compiled and measured programs of other tasks on this board (rows as <see cref="ProgramFeatures"/>).</summary>
    public IReadOnlyList<MeasuredProgram> Programs { get; init; } = [];

    /// <summary>The performance model learnt from <see cref="Programs"/> (trained once, on first use); null with too few.</summary>
    internal PerformanceModel? Performance => _performance.Value;
}
