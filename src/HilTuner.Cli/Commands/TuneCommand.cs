using System.CommandLine;
using System.Globalization;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Bridge;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Session;
using HilTuner.Tuning.Tuners;
using HilTuner.Tuning.Validity;
using HilTuner.Validity;
using HilTuner.Vta.Config;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner tune</c>: tune workloads on a target and log every trial in AutoTVM's format.</summary>
internal static class TuneCommand
{
    /// <summary>The longest run the agent waits for (one hour).</summary>
    public const double MaxTimeoutSeconds = 3600;

    /// <summary>
    /// The shortest (1 ms): the agent's watchdog counts whole milliseconds, and a shorter bound would record every
    /// configuration, good ones too, as a hang.
    /// </summary>
    public const double MinTimeoutSeconds = 0.001;

    /// <summary>
    /// The most costs per trial (<c>--repeat</c>) and runs per cost (<c>--number</c>): AutoTVM's runners use a few
    /// (VTA's tutorials 1–3); a million costs would make one log line of megabytes, and a billion runs of one
    /// configuration would hold the board for days.
    /// </summary>
    public const int MaxRepeat = 1000;

    /// <summary>Checks a <c>--timeout</c>: a number of seconds, at least 1 ms and at most an hour.</summary>
    public static void RequireTimeout(double seconds)
    {
        if (!(seconds is >= MinTimeoutSeconds and <= MaxTimeoutSeconds))
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"--timeout must be positive and at most {MaxTimeoutSeconds} s (one hour), and at least {MinTimeoutSeconds} s (the agent's watchdog counts whole milliseconds), not {seconds}"));
        }
    }

    public static Command Create(CliContext context)
    {
        var selection = WorkloadSelection.Create("tune");
        var board = BoardOption.Create();
        var target = new Option<string>("--target") { Description = "Where to measure: sim (the bit-level simulator), board (the board file's link to a real or co-simulated board) or replay (answers from ground-truth tables)", DefaultValueFactory = _ => "sim" };
        var groundTruth = new Option<string>("--groundtruth") { Description = "Where the replay target finds its tables (hiltuner bench groundtruth writes them)", HelpName = "DIR", DefaultValueFactory = _ => GroundTruthCommand.DefaultDirectory };
        var tunerName = new Option<string>("--tuner") { Description = $"Search strategy: {string.Join(", ", TunerFactory.Names)}", DefaultValueFactory = _ => "xgb" };
        var trials = new Option<int>("--trials") { Description = "Trials per task (capped at the space size)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the tuner and of the measurement inputs", DefaultValueFactory = _ => 0 };
        var logPath = new Option<string>("--log") { Description = "The tuning log (JSON lines, AutoTVM v0.2)", HelpName = "FILE", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the log: measure only what is missing" };
        var plot = new Option<string?>("--plot") { Description = "Write best GFLOPS against trials to this PNG", HelpName = "FILE.png" };
        var transfer = new Option<string[]>("--transfer") { Description = "Learn from earlier logs of other tasks (model-based tuners; repeatable)", HelpName = "LOG" };
        var validityModel = new Option<string?>("--validity-model") { Description = "Screen every compiled program with this validity model before it is measured (and give it to the validity-aware tuners)", HelpName = "FILE.onnx" };
        var gateExploration = new Option<double>("--gate-exploration") { Description = "Share of the programs the gate would skip that are measured anyway", DefaultValueFactory = _ => 0.05 };
        var earlyStopping = new Option<int?>("--early-stopping") { Description = "Stop a task after this many trials without a new best" };
        var noCheck = new Option<bool>("--no-check") { Description = "Do not compare outputs with the reference" };
        var repeat = new Option<int>("--repeat") { Description = "Costs per trial (AutoTVM's repeat)", DefaultValueFactory = _ => MeasureOptions.Default.Repeat };
        var number = new Option<int>("--number") { Description = "Runs averaged into one cost (AutoTVM's number)", DefaultValueFactory = _ => MeasureOptions.Default.Number };
        var minRepeatMs = new Option<double>("--min-repeat-ms") { Description = "Lengthen a cost to at least this many milliseconds (AutoTVM's min_repeat_ms)", DefaultValueFactory = _ => 0 };
        var timeout = new Option<double>("--timeout") { Description = "Board seconds a run may take before it counts as hung", DefaultValueFactory = _ => MeasureOptions.Default.TimeoutSeconds };
        var command = new Command("tune", "Tune workloads: build configurations, measure them on a target, and learn where the fastest valid one lies")
        {
            board, target, groundTruth, tunerName, trials, seed, logPath, resume, plot, transfer, validityModel, gateExploration, earlyStopping, noCheck,
            repeat, number, minRepeatMs, timeout,
        };
        selection.AddTo(command);
        command.SetAction(parse =>
        {
            // Outputs that are inputs are refused before any input is read.
            var path = parse.GetValue(logPath)!;
            (string, string?)[] inputs = [("--board", parse.GetValue(board)), ("--validity-model", parse.GetValue(validityModel))];
            OutputPaths.RequireNotAnInput("--log", path, inputs);
            OutputPaths.RequireNotAnInput("--plot", parse.GetValue(plot), [("--log", path), .. inputs, .. (parse.GetValue(transfer) ?? []).Select(t => ("--transfer", (string?)t))]);
            var b = BoardOption.Load(parse, board);
            var tasks = selection.Select(parse, b);
            var name = parse.GetValue(tunerName)!;
            if (!TunerFactory.Names.Contains(name))
            {
                throw new CliException($"unknown tuner \"{name}\" (known: {string.Join(", ", TunerFactory.Names)})");
            }

            if ((parse.GetValue(transfer) ?? []).Length > 0 && name != "xgb" && !TunerFactory.ValidityAware.Contains(name))
            {
                throw new CliException($"--transfer needs a model-based tuner (xgb, {string.Join(", ", TunerFactory.ValidityAware)}); the {name} tuner has no model to train");
            }

            var exploration = parse.GetValue(gateExploration);
            if (!(exploration is >= 0 and <= 1))
            {
                throw new CliException($"--gate-exploration must be in [0, 1], not {exploration}");
            }

            var budget = parse.GetValue(trials);
            if (budget <= 0)
            {
                throw new CliException($"--trials must be at least 1, not {budget}");
            }

            foreach (var (option, value) in new (string, double)[]
            {
                ("--repeat", parse.GetValue(repeat)), ("--number", parse.GetValue(number)), ("--timeout", parse.GetValue(timeout)),
                ("--early-stopping", parse.GetValue(earlyStopping) ?? 1),
            })
            {
                if (!(value > 0) || !double.IsFinite(value))
                {
                    throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{option} must be positive, not {value}"));
                }
            }

            RequireTimeout(parse.GetValue(timeout));
            foreach (var (option, value) in new[] { ("--repeat", parse.GetValue(repeat)), ("--number", parse.GetValue(number)) })
            {
                if (value > MaxRepeat)
                {
                    throw new CliException($"{option} must be at most {MaxRepeat} (AutoTVM's runners use a few), not {value}");
                }
            }

            if (!(parse.GetValue(minRepeatMs) >= 0) || !double.IsFinite(parse.GetValue(minRepeatMs)))
            {
                throw new CliException("--min-repeat-ms must be a number of milliseconds, 0 or more");
            }

            // The log and the plot are checked before the target opens: a board is not reached for a run that could not record.
            Logs.RequireWritable(path);
            if (parse.GetValue(plot) is { } plotPath)
            {
                Logs.RequireWritable(plotPath, "--plot", "the plot", "tune.png");
            }

            IReadOnlyList<TuningRecord> previous = [];
            if (File.Exists(path))
            {
                if (!parse.GetValue(resume))
                {
                    throw new CliException($"{path} already exists: pass --resume to continue it, or choose another --log");
                }

                previous = Logs.Read(context, path);
                RequireSameTarget(path, previous, tasks, parse.GetValue(target)!, b.Name);
            }

            var measureOn = parse.GetValue(target) switch
            {
                "sim" => (ITarget)new SimTarget(b),
                "replay" => new ReplayTarget(b, tasks.Select(w => GroundTruthCommand.Load(parse.GetValue(groundTruth)!, w, b))),
                "board" => BoardTarget.Open(b, line => context.Error.WriteLine(line)),
                var other => throw new CliException($"unknown target \"{other}\" (known: sim, board, replay)"),
            };
            using var owned = measureOn as IDisposable;

            var transferred = (parse.GetValue(transfer) ?? []).SelectMany(p => Logs.Read(context, p)).ToList();
            using var gate = parse.GetValue(validityModel) is { } modelPath ? OpenGate(modelPath, b) : null;
            var options = new TuningOptions
            {
                Trials = budget,
                Seed = parse.GetValue(seed),
                EarlyStopping = parse.GetValue(earlyStopping),
                GateExploration = exploration,
                Measure = new MeasureOptions
                {
                    Repeat = parse.GetValue(repeat),
                    Number = parse.GetValue(number),
                    MinRepeatMs = parse.GetValue(minRepeatMs),
                    TimeoutSeconds = parse.GetValue(timeout),
                    CheckOutput = !parse.GetValue(noCheck),
                },
            };

            var results = Tune(context, new TuneSetup(b, measureOn, tasks, name, options, path, previous, transferred, gate));
            PrintSummary(context, results, measureOn.Kind);
            if (parse.GetValue(plot) is { } png)
            {
                ConvergencePlot.Save(png, results, $"{name} on {b.Name} ({b.Vta.TargetModel}){(measureOn.Kind == "replay" ? ", replay" : string.Empty)}");
                context.Out.WriteLine($"plot: {png}");
            }

            context.Out.WriteLine($"log: {path}");
            return 0;
        });
        return command;
    }

    /// <summary>What one <c>tune</c> run works with.</summary>
    private sealed record TuneSetup(
        Board Board, ITarget Target, IReadOnlyList<Workload> Workloads, string Tuner, TuningOptions Options, string LogPath,
        IReadOnlyList<TuningRecord> Previous, IReadOnlyList<TuningRecord> Transferred, ValidityGate? Gate);

    private static ValidityGate OpenGate(string path, Board board)
    {
        try
        {
            return new ValidityGate(ValidityPredictor.Open(path, board));
        }
        catch (ValidityModelException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static List<TaskProgress> Tune(CliContext context, TuneSetup run)
    {
        if (run.Target.Kind == "replay")
        {
            context.Error.WriteLine("hiltuner: measurements are replayed from ground-truth tables (target replay), not run");
        }

        if (run.Gate is { } gate)
        {
            context.Error.WriteLine($"hiltuner: validity gate {gate.Predictor}: programs predicted to fail are skipped ({run.Options.GateExploration:P0} of them measured anyway)");
        }

        var results = new List<TaskProgress>();
        using var log = TuningLog.Append(run.LogPath);
        var display = new ProgressDisplay(context, run.Workloads.Select(w => w.Name).ToList(), (int)Math.Min(run.Options.Trials, int.MaxValue));
        display.Run(report =>
        {
            foreach (var workload in run.Workloads)
            {
                var task = new TuningTask(workload, run.Board, run.Options.Seed);
                var builder = new CachingBuilder(LocalBuilder.Instance);
                var tunerContext = new TunerContext(task, run.Options.Seed, builder)
                {
                    Priors = TunerFactory.ValidityAware.Contains(run.Tuner) ? Priors(task, run) : TunerPriors.None,
                };
                var tuner = TunerFactory.Create(run.Tuner, tunerContext);
                if (tuner is XgbTuner xgb && run.Transferred.Count > 0)
                {
                    xgb.Transfer(run.Transferred.GroupBy(r => r.TaskKey)
                        .Where(g => g.Key != task.Key && g.First().TaskName == task.TaskName && g.First().Entity.Count == task.Space.Knobs.Count)
                        .Select(g => (IReadOnlyList<(float[], double)>)g.Select(r => (EntityFeatures(r), r.Gflops(AutoTvmTask.WorkloadOf(r.TaskName, r.Args)?.Operations ?? 0))).ToList()));
                }

                var mine = run.Previous.Where(r => r.TaskKey == task.Key).ToList();
                foreach (var r in mine)
                {
                    CheckIndex(run.LogPath, workload, task, r);
                }

                var session = new TuningSession(task, tuner, run.Target, log, run.Options, builder, run.Gate);
                results.Add(session.Run(mine, report));
            }
        });
        return results;
    }

    /// <summary>
    /// What the validity-aware tuners know of a task from the transfer logs (its own records left out): the measured
    /// programs, and a validity model — the gate's, or one trained on those programs when they hold both outcomes.
    /// </summary>
    private static TunerPriors Priors(TuningTask task, TuneSetup run)
    {
        var programs = ValidityData.FromRecords(run.Transferred.Where(r => r.TaskKey != task.Key), run.Board, out _);
        IFailurePredictor? validity = run.Gate;
        if (validity is null && programs.Count > 0)
        {
            try
            {
                validity = ValidityTrainer.Train(programs, run.Board);
            }
            catch (ValidityModelException)
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
    private static void CheckIndex(string path, Workload workload, TuningTask task, TuningRecord record)
    {
        long fromEntity;
        try
        {
            fromEntity = task.Space.FromKnobs(record.Entity.ToJsonString()).Index;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new CliException($"{path}: the record of {workload.Name} with index {record.Index} has an entity outside its space ({e.Message})");
        }

        if (fromEntity != record.Index)
        {
            throw new CliException($"{path}: a record of {workload.Name} has index {record.Index} but its entity is configuration {fromEntity} of the {task.TaskName} space; the log was written for another space definition");
        }
    }

    /// <summary>
    /// A resumed run adds to its tasks' records only measurements of the same kind: a log of simulator (or replay)
    /// results continued on a board, or a board's continued on another board, would mix them without a word.
    /// Records without HilTuner's facts (a plain AutoTVM log) say nothing of where they were taken, and are used.
    /// </summary>
    private static void RequireSameTarget(string path, IReadOnlyList<TuningRecord> previous, IReadOnlyList<Workload> tasks, string targetKind, string board)
    {
        var names = tasks.Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        var other = previous.FirstOrDefault(r => r.Facts is { } f && names.Contains(f.Workload) && (f.TargetKind != targetKind || f.Board != board));
        if (other?.Facts is { } facts)
        {
            throw new CliException(
                $"{path}: its records of {facts.Workload} were measured on {facts.TargetKind} ({facts.Board}); this run measures on {targetKind} ({board}). " +
                $"Resuming would mix the two: choose another --log, or resume with --target {facts.TargetKind} and the board file of {facts.Board}");
        }
    }

    /// <summary>Knob values from an AutoTVM entity (the inner split factor, or the knob's value).</summary>
    private static float[] EntityFeatures(TuningRecord record)
    {
        var features = new float[record.Entity.Count];
        for (var i = 0; i < features.Length; i++)
        {
            var value = record.Entity[i] is System.Text.Json.Nodes.JsonArray { Count: 3 } e
                ? e[2] is System.Text.Json.Nodes.JsonArray { Count: > 0 } split ? split[^1] : e[2]
                : null;
            if (value is not System.Text.Json.Nodes.JsonValue number || !number.TryGetValue<double>(out var knob))
            {
                throw new CliException($"--transfer: the record of {record.TaskName} with index {record.Index} has a malformed entity item {i} ({record.Entity[i]?.ToJsonString() ?? "null"}); AutoTVM entities hold [name, type, value] triples");
            }

            features[i] = (float)knob;
        }

        return features;
    }

    private static void PrintSummary(CliContext context, IReadOnlyList<TaskProgress> results, string targetKind)
    {
        var table = new Table().AddColumns("workload", "trials", "best GFLOPS", "found at trial", "statuses", "time");
        table.Title = new TableTitle($"measured on: {targetKind}");
        foreach (var r in results)
        {
            table.AddRow(
                r.Workload,
                r.Resumed > 0 ? $"{r.Trials} ({r.Resumed} from the log)" : r.Trials.ToString(CultureInfo.InvariantCulture),
                r.BestGflops.ToString("F2", CultureInfo.InvariantCulture),
                r.BestTrial.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", r.Statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))),
                r.Elapsed.ToString(@"m\:ss", CultureInfo.InvariantCulture));
        }

        context.Console.Write(table);
    }
}
