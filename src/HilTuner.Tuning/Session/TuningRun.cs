using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Tuners;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Session;

/// <summary>
/// One tuning run over several workloads into one log, as <c>hiltuner tune</c> and the benchmarks run it: the log's
/// records checked (their index names their entity; they were measured where this run measures), each task's tuner
/// made with its priors (the validity model and the programs of the transfer logs) and transfer learning, then one
/// <see cref="TuningSession"/> per task, its trials handed to the observers.
/// </summary>
public sealed class TuningRun
{
    public required Board Board { get; init; }

    public required ITarget Target { get; init; }

    /// <summary>The tuner's name (<see cref="TunerFactory.Names"/>).</summary>
    public required string Tuner { get; init; }

    public required TuningOptions Options { get; init; }

    /// <summary>The log's records from earlier runs (of every task); each task resumes from its own.</summary>
    public IReadOnlyList<TuningRecord> Previous { get; init; } = [];

    /// <summary>Where <see cref="Previous"/> came from, for the errors that name it.</summary>
    public string LogPath { get; init; } = "the log";

    /// <summary>Records of other tasks to learn from (<c>--transfer</c>).</summary>
    public IReadOnlyList<TuningRecord> Transferred { get; init; } = [];

    public ValidityGate? Gate { get; init; }

    /// <summary>What the XGB tuners' cost model sees of a configuration (<c>--xgb-feature</c>).</summary>
    public XgbFeatureKind XgbFeature { get; init; } = XgbFeatureKind.Program;

    /// <summary>What the validity-aware tuners know of a task; by default, learnt from <see cref="Transferred"/>.</summary>
    public Func<TuningTask, TunerPriors>? PriorsOf { get; init; }

    /// <summary>Builds the programs of every task (a benchmark's shared cache); by default a new cache per task.</summary>
    public IBuilder? Builder { get; init; }

    /// <summary>One-line notes for the person running it (a log continued by another tuner, failures measured again).</summary>
    public Action<string>? Note { get; init; }

    /// <summary>Tunes one workload: its records of <see cref="Previous"/> checked and resumed, its trials to <paramref name="observers"/>.</summary>
    public TaskProgress Tune(Workload workload, IReadOnlyList<ITrialObserver> observers, CancellationToken cancel = default)
    {
        var task = new TuningTask(workload, Board, Options.Seed);
        var builder = Builder ?? new CachingBuilder(LocalBuilder.Instance);
        var tunerContext = new TunerContext(task, Options.Seed, builder)
        {
            Priors = TunerFactory.Find(Tuner) is { UsesPriors: true } ? (PriorsOf ?? Priors)(task) : TunerPriors.None,
            XgbFeature = XgbFeature,
        };
        var tuner = TunerFactory.Create(Tuner, tunerContext);
        if (Transferred.Count > 0)
        {
            tuner.Transfer(TransferTasks(task));
        }

        var mine = Previous.Where(r => r.TaskKey == task.Key).ToList();
        foreach (var r in mine)
        {
            CheckIndex(workload, task, r);
        }

        if (TuningSession.OtherRun(mine, tuner.Name, Options.Seed) is { } other)
        {
            Note?.Invoke($"{workload.Name}: the log's {mine.Count} record(s) were made by {other}; continuing as {tuner.Name}, seed {Options.Seed}: they count as its first trials, in their logged order, and it measures what it proposes beyond them");
        }

        if (mine.Count(r => r.Unattributed) is > 0 and var unattributed)
        {
            Note?.Invoke($"{workload.Name}: {unattributed} board failure(s) in the log were never attributed to their configuration (the board may have been the cause): they are measured again");
        }

        return new TuningSession(task, tuner, Target, Options, builder, Gate).Run(mine, observers, cancel);
    }

    /// <summary>
    /// A resumed run adds to its tasks' records only measurements of the same kind: a log of simulator (or replay)
    /// results continued on a board, or a board's continued on another board, would mix them without a word. Records
    /// without HilTuner's facts (a plain AutoTVM log) say nothing of where they were taken, and are used.
    /// <paramref name="targetKind"/> null: not chosen yet (auto), only the board is compared.
    /// </summary>
    public static void RequireSameTarget(string path, IReadOnlyList<TuningRecord> previous, IReadOnlyList<Workload> workloads, string? targetKind, string board)
    {
        var names = workloads.Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        var other = previous.FirstOrDefault(r => r.Facts is { } f && names.Contains(f.Workload) && ((targetKind is not null && f.TargetKind != targetKind) || f.Board != board));
        if (other?.Facts is { } facts)
        {
            throw new TuningLogException(path, 0,
                $"its records of {facts.Workload} were measured on {facts.TargetKind} ({facts.Board}); this run measures on {targetKind ?? "auto: the board or its simulator"} ({board}). " +
                $"Resuming would mix the two: choose another --log (a separate log per target), or resume with --target {facts.TargetKind} and the board file of {facts.Board}");
        }
    }

    /// <summary>
    /// What the validity-aware tuners know of a task from the transfer logs (its own records left out): the measured
    /// programs, and a validity model — the gate's, or one trained on those programs when they hold both outcomes.
    /// </summary>
    private TunerPriors Priors(TuningTask task)
    {
        var programs = ValidityData.FromRecords(Transferred.Where(r => r.TaskKey != task.Key), Board, out _);
        IValidityModel? validity = Gate;
        if (validity is null && programs.Count > 0)
        {
            try
            {
                validity = ValidityTrainer.Train(programs, Board);
            }
            catch (HilTuner.Validity.ValidityModelException)
            {
                // Transfer logs with one outcome only: the tuner learns validity from its own measurements.
            }
        }

        return new TunerPriors { Validity = validity, Programs = programs };
    }

    /// <summary>
    /// A record's index must name the configuration its entity describes (AutoTVM instantiates the entity; the
    /// resume trusts the index): a log of another space definition is refused, not misread.
    /// </summary>
    private void CheckIndex(Workload workload, TuningTask task, TuningRecord record)
    {
        long fromEntity;
        try
        {
            fromEntity = task.Space.FromKnobs(record.Entity.ToJsonString()).Index;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new TuningLogException(LogPath, 0, $"the record of {workload.Name} with index {record.Index} has an entity outside its space ({e.Message})");
        }

        if (fromEntity != record.Index)
        {
            throw new TuningLogException(LogPath, 0, $"a record of {workload.Name} has index {record.Index} but its entity is configuration {fromEntity} of the {task.TaskName} space; the log was written for another space definition");
        }
    }

    /// <summary>
    /// The transfer logs' records of other tasks of the same template, grouped by task, each with its workload and its
    /// configuration in that workload's space (failures at 0 GFLOPS); records of workloads HilTuner does not know are left out.
    /// </summary>
    private List<TransferTask> TransferTasks(TuningTask task)
    {
        var tasks = new List<TransferTask>();
        foreach (var g in Transferred.GroupBy(r => r.TaskKey).Where(g => g.Key != task.Key && g.First().TaskName == task.TaskName && g.First().Entity.Count == task.Space.Knobs.Count))
        {
            if (AutoTvmTask.WorkloadOf(g.First().TaskName, g.First().Args) is not { } workload)
            {
                continue;
            }

            var space = Compiler.Space.Templates.For(workload, Board.Vta);
            var records = new List<(Compiler.Space.Configuration, double)>();
            foreach (var r in g)
            {
                EntityFeatures(r);
                try
                {
                    records.Add((space.FromKnobs(r.Entity.ToJsonString()), r.Gflops(workload.Operations)));
                }
                catch (Exception e) when (e is FormatException or InvalidOperationException)
                {
                    throw new TuningLogException("--transfer", 0, $"the record of {r.TaskName} with index {r.Index} has an entity outside the space of {workload.Name} ({e.Message})");
                }
            }

            tasks.Add(new TransferTask(workload, records));
        }

        return tasks;
    }

    /// <summary>Knob values from an AutoTVM entity (the inner split factor, or the knob's value).</summary>
    private static float[] EntityFeatures(TuningRecord record)
    {
        var features = new float[record.Entity.Count];
        for (var i = 0; i < features.Length; i++)
        {
            var value = record.Entity[i] is JsonArray { Count: 3 } e
                ? e[2] is JsonArray { Count: > 0 } split ? split[^1] : e[2]
                : null;
            // A number of a record built in memory (not read from a log) holds an int, which TryGetValue<double> refuses.
            if (value is not JsonValue number || !double.TryParse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var knob))
            {
                throw new TuningLogException("--transfer", 0, $"the record of {record.TaskName} with index {record.Index} has a malformed entity item {i} ({record.Entity[i]?.ToJsonString() ?? "null"}); AutoTVM entities hold [name, type, value] triples");
            }

            features[i] = (float)knob;
        }

        return features;
    }
}
