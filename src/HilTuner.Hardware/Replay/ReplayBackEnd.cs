using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware.Runner;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Replay;

/// <summary>
/// Ground-truth tables as a back end: nothing runs, each program is answered with the status, cycles and board seconds
/// the simulator gave its configuration (a verdict, so no output to compare); a run longer than the timeout is a hang.
/// </summary>
public sealed class ReplayBackEnd : IBackEnd
{
    private readonly Dictionary<Compiler.Workloads.Workload, GroundTruthTable> _tables;

    public ReplayBackEnd(Board board, IEnumerable<GroundTruthTable> tables)
    {
        Board = board;
        _tables = tables.ToDictionary(t => t.Workload);
        foreach (var table in _tables.Values.Where(t => t.Key != GroundTruthTable.KeyOf(t.Workload, board)))
        {
            throw new GroundTruthException($"the ground truth of {table.Workload.Name} was measured on {table.Board.Name}, not on {board.Name}");
        }
    }

    public string Kind => "replay";

    public Board Board { get; }

    public (Measurement Measurement, sbyte[]? Output) Run(VtaProgram program, OperatorTensors tensors, MeasureOptions options, Measurement? predicted)
    {
        if (!_tables.TryGetValue(program.Workload, out var table))
        {
            throw new GroundTruthException($"no ground truth for {program.Workload.Name} on {Board.Name}: run hiltuner bench groundtruth --workload {program.Workload.Name}");
        }

        var entry = table[program.Configuration.Index];
        if (entry.Status == MeasureStatus.CompileError)
        {
            throw new GroundTruthException(
                $"the ground truth of {program.Workload.Name} says configuration {program.Configuration.Index} does not compile, but it did: the table is stale");
        }

        if (entry.Status == MeasureStatus.Ok && entry.Seconds > options.TimeoutSeconds)
        {
            return (new Measurement
            {
                Status = MeasureStatus.Hang,
                Error = $"the run takes {entry.Seconds:F3} s, longer than the {options.TimeoutSeconds:F3} s timeout",
                Cycles = entry.Cycles,
            }, null);
        }

        return (new Measurement
        {
            Status = entry.Status,
            Error = entry.Error,
            Cycles = entry.Cycles,
            Seconds = entry.Seconds,
            Costs = entry.Status == MeasureStatus.Ok ? options.RepeatedCosts(entry.Seconds) : [],
            Matches = entry.Status == MeasureStatus.Ok ? true : null,
        }, null);
    }
}
