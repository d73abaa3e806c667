using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Statuses;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;
using HilTuner.Vta.Simulation;

namespace HilTuner.Hardware;

/// <summary>
/// The bit-level simulator as a measurement target: the runtime's checks, then the program on a simulated
/// VTA of the board's build, then the output compared bit-exact with the reference. A hung simulated board
/// is reset before the next measurement, as a real one would be.
/// </summary>
/// <remarks>
/// The simulation is deterministic: every repeat of a run takes the same cycles, so one run gives all
/// <see cref="MeasureOptions.Repeat"/> costs, and <see cref="MeasureOptions.Number"/> and
/// <see cref="MeasureOptions.MinRepeatMs"/> change nothing. Costs are the timing model's board seconds.
/// One target is one simulated board: measurements asked from several threads run one after another, as they
/// would on a real board (use one target per thread to measure in parallel).
/// </remarks>
public sealed class SimTarget(Board board) : ITarget
{
    private readonly VtaSimulator _simulator = new(board);
    private readonly Lock _board = new();

    public Board Board { get; } = board;

    public string Kind => "sim";

    /// <summary>Watchdog: a run still going after this many cycles counts as hung.</summary>
    public long MaxCycles { get; init; } = 1L << 36;

    public Measurement Measure(VtaProgram program, OperatorTensors tensors, bool checkOutput = true) =>
        MeasureWithOutput(program, tensors, checkOutput).Measurement;

    public Measurement Measure(VtaProgram program, OperatorTensors tensors, MeasureOptions options)
    {
        var watchdog = (long)Math.Min(MaxCycles, options.TimeoutSeconds / Board.Fabric.SecondsPerCycle);
        var m = MeasureWithOutput(program, tensors, options.CheckOutput, checkRaces: false, watchdog).Measurement;
        return m.Status == MeasureStatus.Ok ? m with { Costs = Enumerable.Repeat(m.Seconds, Math.Max(1, options.Repeat)).ToArray() } : m;
    }

    /// <summary>Measures, and also returns the output in its plain layout when the run finished.</summary>
    public (Measurement Measurement, sbyte[]? Output) MeasureWithOutput(VtaProgram program, OperatorTensors tensors, bool checkOutput = true, bool checkRaces = false, long? maxCycles = null)
    {
        if (RuntimeChecks.FirstFailure(program.Image, Board.Hardware.MaxTransferBytes) is { } refused)
        {
            return (new Measurement { Status = MeasureStatus.RuntimeError, Error = $"runtime check: {refused}" }, null);
        }

        var packed = tensors.Pack(Board.Vta);
        RunResult run;
        byte[] output;
        lock (_board)
        {
            (run, output) = new SimulatorSession(_simulator).Run(program.Image, packed, new RunOptions { MaxCycles = maxCycles ?? MaxCycles, CheckRaces = checkRaces });
            switch (run.Status)
            {
                case RunStatus.Hang or RunStatus.CycleLimitExceeded:
                    _simulator.Reset();
                    return (new Measurement { Status = MeasureStatus.Hang, Error = run.Diagnostic, Cycles = run.Cycles, Races = run.Races }, null);
                case RunStatus.RuntimeError:
                    _simulator.Reset();
                    return (new Measurement { Status = MeasureStatus.RuntimeError, Error = $"accelerator fault: {run.Fault}", Cycles = run.Cycles, Races = run.Races }, null);
            }
        }

        var actual = tensors.UnpackOutput(Board.Vta, output);
        if (!checkOutput)
        {
            return (new Measurement { Status = MeasureStatus.Ok, Cycles = run.Cycles, Seconds = run.BoardSeconds, Races = run.Races }, actual);
        }

        var mismatch = OutputCheck.FirstMismatch(actual, tensors.Reference());
        return (new Measurement
        {
            Status = mismatch is null ? MeasureStatus.Ok : MeasureStatus.WrongAnswer,
            Error = mismatch,
            Cycles = run.Cycles,
            Seconds = run.BoardSeconds,
            Matches = mismatch is null,
            Races = run.Races,
        }, actual);
    }
}
