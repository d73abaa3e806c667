using HilTuner.Compiler;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Measure;

/// <summary>
/// A validity model (ModelV): the probability that a program fails on the target (runtime error, hang, wrong answer,
/// …). The measurement pipeline uses it as its gate — a program whose probability reaches <see cref="Threshold"/> is
/// not sent (it is logged as skipped, with the probability) — and the validity-aware tuners as their prior.
/// </summary>
public interface IValidityModel
{
    /// <summary>Names the model in logs and messages (e.g. the model file).</summary>
    string Name { get; }

    /// <summary>The decision threshold the model was calibrated with: a probability of failure at or above it is a predicted failure.</summary>
    double Threshold { get; }

    /// <summary>One probability per row of <paramref name="rows"/> (row-major, <see cref="ProgramFeatures.Count"/> values each).</summary>
    double[] FailureProbabilities(ReadOnlySpan<float> rows, int count);

    /// <summary>The probability that each program fails on <paramref name="board"/>.</summary>
    IReadOnlyList<double> FailureProbabilities(Board board, IReadOnlyList<VtaProgram> programs) =>
        FailureProbabilities(programs.SelectMany(p => ProgramFeatures.Of(p, board)).ToArray(), programs.Count);
}
