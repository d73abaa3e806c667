using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware.Runner;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;
using HilTuner.Vta.Simulation;

namespace HilTuner.Hardware;

/// <summary>
/// The bit-level simulator as a back end: the program on a simulated VTA of the board's build, its cycles, board seconds
/// and output. A hung simulated board is reset before the next run, as a real one would be. Runs asked from several
/// threads take turns, as on a real board.
/// </summary>
public sealed class SimBackEnd(Board board) : IBackEnd
{
    private readonly VtaSimulator _simulator = new(board);
    private readonly Lock _board = new();

    public Board Board { get; } = board;

    public string Kind => "sim";

    /// <summary>Watchdog: a run still going after this many cycles counts as hung.</summary>
    public long MaxCycles { get; set; } = 1L << 36;

    /// <summary>
    /// The run under the runner's timeout (or <see cref="MaxCycles"/>, the lower); the simulation is deterministic, so one
    /// run gives all <see cref="MeasureOptions.Repeat"/> costs.
    /// </summary>
    public (Measurement Measurement, sbyte[]? Output) Run(VtaProgram program, OperatorTensors tensors, MeasureOptions options, Measurement? predicted)
    {
        var watchdog = (long)Math.Min(MaxCycles, options.TimeoutSeconds / Board.Fabric.SecondsPerCycle);
        var (m, output) = Run(program, tensors, checkRaces: false, watchdog);
        return (m.Status == MeasureStatus.Ok ? m with { Costs = options.RepeatedCosts(m.Seconds) } : m, output);
    }

    /// <summary>One run with at most <paramref name="maxCycles"/> cycles, looking for unordered SRAM accesses when asked.</summary>
    public (Measurement Measurement, sbyte[]? Output) Run(VtaProgram program, OperatorTensors tensors, bool checkRaces, long maxCycles)
    {
        var packed = tensors.Pack(Board.Vta);
        RunResult run;
        byte[] output;
        lock (_board)
        {
            (run, output) = new SimulatorSession(_simulator).Run(program.Image, packed, new RunOptions { MaxCycles = maxCycles, CheckRaces = checkRaces });
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

        return (new Measurement { Status = MeasureStatus.Ok, Cycles = run.Cycles, Seconds = run.BoardSeconds, Races = run.Races }, tensors.UnpackOutput(Board.Vta, output));
    }
}
