using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware;

/// <summary>
/// Where compiled programs are measured: the simulator, a replay of earlier measurements, or a real board.
/// The tuner does not know which one it talks to.
/// </summary>
public interface ITarget
{
    /// <summary><c>sim</c>, <c>replay</c> or <c>board</c>: how the measurements were obtained (logged with every record).</summary>
    string Kind { get; }

    /// <summary>The board whose VTA configuration and limits the target has.</summary>
    Board Board { get; }

    /// <summary>Runs <paramref name="program"/> on <paramref name="tensors"/> and reports the outcome.</summary>
    Measurement Measure(VtaProgram program, OperatorTensors tensors, MeasureOptions options);
}
