using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Hardware.Runner;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware;

/// <summary>
/// The bit-level simulator as a measurement target: the runner's checks above a <see cref="SimBackEnd"/> — the
/// runtime's checks, then the program on a simulated VTA of the board's build, then the output compared bit-exact with
/// the reference. A hung simulated board is reset before the next measurement, as a real one would be.
/// </summary>
/// <remarks>
/// The simulation is deterministic: every repeat of a run takes the same cycles, so one run gives all
/// <see cref="MeasureOptions.Repeat"/> costs, and <see cref="MeasureOptions.Number"/> and
/// <see cref="MeasureOptions.MinRepeatMs"/> change nothing. Costs are the timing model's board seconds.
/// One target is one simulated board: measurements asked from several threads run one after another, as they
/// would on a real board (use one target per thread to measure in parallel).
/// </remarks>
public sealed class SimTarget(Board board) : MeasurementRunner(new SimBackEnd(board))
{
    private SimBackEnd Simulator => (SimBackEnd)BackEnd;

    /// <summary>Watchdog: a run still going after this many cycles counts as hung.</summary>
    public long MaxCycles
    {
        get => Simulator.MaxCycles;
        init => Simulator.MaxCycles = value;
    }

    public Measurement Measure(VtaProgram program, OperatorTensors tensors, bool checkOutput = true) =>
        MeasureWithOutput(program, tensors, checkOutput).Measurement;

    /// <summary>Measures, and also returns the output in its plain layout when the run finished.</summary>
    public (Measurement Measurement, sbyte[]? Output) MeasureWithOutput(VtaProgram program, OperatorTensors tensors, bool checkOutput = true, bool checkRaces = false, long? maxCycles = null) =>
        MeasureWithOutput(program, tensors, checkOutput, () => Simulator.Run(program, tensors, checkRaces, maxCycles ?? MaxCycles));
}
