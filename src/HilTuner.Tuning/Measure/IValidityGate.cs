using HilTuner.Compiler;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Measure;

/// <summary>
/// Screens compiled programs before they reach the target: a program whose predicted probability of failing
/// there reaches <see cref="Threshold"/> is not sent (it is logged as skipped, with the probability).
/// </summary>
public interface IValidityGate
{
    /// <summary>Names the gate in logs and messages (e.g. the model file).</summary>
    string Name { get; }

    /// <summary>Probability of failure at or above which a program is skipped.</summary>
    double Threshold { get; }

    /// <summary>The probability that each program fails on <paramref name="board"/> (runtime error, hang, wrong answer).</summary>
    IReadOnlyList<double> FailureProbabilities(Board board, IReadOnlyList<VtaProgram> programs);
}
