using System.Globalization;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Log;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;
using HilTuner.Vta.Simulation;

namespace HilTuner.Tuning.Calibration;

/// <summary>
/// One measured record that calibration can use: the configuration compiled for the board, the tensors it runs on,
/// and the measured mean cost in seconds (AutoTVM's <c>np.mean(costs)</c>).
/// </summary>
public sealed record CalibrationRecord(string Source, Workload Workload, VtaProgram Program, IReadOnlyDictionary<SegmentKind, byte[]> Tensors, double MeasuredSeconds)
{
    /// <summary>The model's seconds on the board the record was read for (its timing as the board file gives it).</summary>
    public double ModelSeconds { get; init; }

    /// <summary>The simulator's run of the record's program on <paramref name="board"/> (its timing parameters included).</summary>
    public RunResult Run(Board board) => new SimulatorSession(new VtaSimulator(board)).Run(Program.Image, Tensors).Run;

    /// <summary>The workload and the configuration's index, e.g. <c>resnet18.C2 #828</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Workload.Name} #{Program.Configuration.Index}");
}

/// <summary>The records of one or more logs that calibration can use, and one line for each record it skips.</summary>
public sealed record CalibrationInput(IReadOnlyList<CalibrationRecord> Records, IReadOnlyList<string> Skipped)
{
    /// <summary>Per workload, in order of first appearance: how far the board's model is from the measured records.</summary>
    public IReadOnlyList<(string Workload, int Records, RatioErrors Errors)> ModelErrorPerLayer() =>
        PerLayer(Records.Select(r => (r.Workload.Name, r.ModelSeconds, r.MeasuredSeconds)));

    /// <summary>
    /// Per workload, in order of first appearance: the model's error as board records carry it — each successful
    /// board record's <c>model_seconds</c> (the prediction with the board file's timing when it was measured) against
    /// its mean cost. Empty when no record carries a prediction.
    /// </summary>
    public static IReadOnlyList<(string Workload, int Records, RatioErrors Errors)> RecordedModelErrorPerLayer(IEnumerable<TuningRecord> records) =>
        PerLayer(records
            .Where(r => r.Succeeded && r.Facts is { TargetKind: "board", ModelSeconds: > 0 })
            .Select(r => (r.Facts!.Workload, r.Facts.ModelSeconds!.Value, r.MeanCost)));

    private static IReadOnlyList<(string Workload, int Records, RatioErrors Errors)> PerLayer(IEnumerable<(string Workload, double Model, double Measured)> pairs) =>
        [.. pairs.GroupBy(p => p.Workload).Select(g => (g.Key, g.Count(),
            RatioErrors.Of([.. g.Select(p => p.Model)], [.. g.Select(p => p.Measured)])))];

    /// <summary>
    /// Reads <paramref name="logs"/> (AutoTVM v0.2/v0.1 records: HilTuner's board logs, TopHub's cache) for
    /// <paramref name="board"/>. A record is skipped, with one line saying why, when it failed, was measured on another
    /// target or VTA configuration (its <c>-model=</c>), or on HilTuner's simulator rather than a board, names a task
    /// that is no VTA conv2d/dense, a configuration outside the template's space, or one that does not compile or run on
    /// the board. A log that cannot be read or holds a line that is not a record throws <see cref="TuningLogException"/>.
    /// </summary>
    public static CalibrationInput Read(IReadOnlyList<string> logs, Board board)
    {
        var records = new List<CalibrationRecord>();
        var skipped = new List<string>();
        foreach (var log in logs)
        {
            var all = TuningLog.Read(log, out var warnings);
            skipped.AddRange(warnings);
            for (var i = 0; i < all.Count; i++)
            {
                var source = string.Create(CultureInfo.InvariantCulture, $"{log}: record {i + 1}");
                var (record, why) = Usable(all[i], source, board);
                if (record is not null)
                {
                    records.Add(record);
                }
                else
                {
                    skipped.Add($"{source}: skipped: {why}");
                }
            }
        }

        return new CalibrationInput(records, skipped);
    }

    private static (CalibrationRecord? Record, string Why) Usable(TuningRecord r, string source, Board board)
    {
        if (!r.Target.Split(' ').Contains("-device=vta"))
        {
            return (null, $"target \"{r.Target}\" is not VTA");
        }

        if (AutoTvmTask.ModelOf(r.Target) is var model && model != board.Vta.TargetModel)
        {
            return (null, $"another VTA configuration ({model ?? "no -model="}; the board is {board.Vta.TargetModel})");
        }

        if (!r.Succeeded || r.Status != MeasureStatus.Ok)
        {
            return (null, $"failed ({r.StatusName})");
        }

        if (r.Facts is { TargetKind: not "board" } facts)
        {
            return (null, $"measured on HilTuner's {facts.TargetKind} target, not on a board");
        }

        if (!(r.MeanCost is > 0 and < TuningRecord.FailureCost))
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"no usable cost ({r.MeanCost} s)"));
        }

        var workload = (r.Facts is { } f ? WorkloadRegistry.Find(f.Workload) : null) ?? AutoTvmTask.WorkloadOf(r.TaskName, r.Args);
        if (workload is null)
        {
            return (null, $"unknown task {r.TaskName} {r.Args.ToJsonString()}");
        }

        Configuration config;
        try
        {
            config = Templates.For(workload, board.Vta).FromKnobs(r.Entity.ToJsonString());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return (null, $"{workload.Name}: the configuration is not in the template's space: {e.Message}");
        }

        var compiled = VtaCompiler.Compile(workload, config, board);
        if (compiled.Program is not { } program)
        {
            return (null, $"{workload.Name} #{config.Index} does not compile for {board.Name}: {compiled.Error}");
        }

        if (RuntimeChecks.FirstFailure(program.Image, board.Hardware.MaxTransferBytes) is { } refused)
        {
            return (null, $"{workload.Name} #{config.Index}: the runtime refuses it: {refused}");
        }

        var usable = new CalibrationRecord(source, workload, program, OperatorTensors.Random(workload, 0).Pack(board.Vta), r.MeanCost);
        var run = usable.Run(board);
        return run.Status == RunStatus.Finished
            ? (usable with { ModelSeconds = run.BoardSeconds }, string.Empty)
            : (null, $"{usable.Label} does not finish on the simulator of {board.Name}: {run.Diagnostic}");
    }
}
