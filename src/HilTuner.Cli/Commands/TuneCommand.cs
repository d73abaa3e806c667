using System.CommandLine;
using System.Globalization;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Bridge;
using HilTuner.Hardware.Replay;
using HilTuner.Hardware.Runner;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Session;
using HilTuner.Tuning.Tuners;
using HilTuner.Tuning.ValidityTraining;
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
        var target = new Option<string?>("--target")
        {
            Description = $"Where to measure: sim (the bit-level simulator), board (the board file's link to a real or co-simulated board), auto (the board when it passes its health check, else the simulator) or replay (answers from ground-truth tables); default: ${TargetVariable} when set, else auto for a board file with a link section and sim otherwise",
        };
        var groundTruth = new Option<string>("--groundtruth") { Description = "Where the replay target finds its tables (hiltuner bench groundtruth writes them)", HelpName = "DIR", DefaultValueFactory = _ => GroundTruthCommand.DefaultDirectory };
        var tunerName = new Option<string>("--tuner") { Description = $"Search strategy: {string.Join(", ", TunerFactory.Names)}", DefaultValueFactory = _ => "xgb" };
        var trials = new Option<int>("--trials") { Description = "Trials per task (capped at the space size)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the tuner and of the measurement inputs", DefaultValueFactory = _ => 0 };
        var logPath = new Option<string>("--log") { Description = "The tuning log (JSON lines, AutoTVM v0.2)", HelpName = "FILE", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the log: measure only what is missing" };
        var plot = new Option<string?>("--plot") { Description = "Write best GFLOPS against trials to this PNG", HelpName = "FILE.png" };
        var plotLogX = ConvergencePlot.LogXOption("--plot-log-x");
        var transfer = new Option<string[]>("--transfer") { Description = "Learn from earlier logs of other tasks (model-based tuners; repeatable)", HelpName = "LOG" };
        var validityModel = new Option<string?>("--validity-model") { Description = "Screen every compiled program with this validity model before it is measured (and give it to the validity-aware tuners)", HelpName = "FILE.onnx" };
        var gateExploration = new Option<double>("--gate-exploration") { Description = "Share of the programs the gate would skip that are measured anyway", DefaultValueFactory = _ => 0.05 };
        var earlyStopping = new Option<int?>("--early-stopping") { Description = "Stop a task after this many trials without a new best" };
        var noCheck = new Option<bool>("--no-check") { Description = "Do not compare outputs with the reference" };
        var repeat = new Option<int>("--repeat") { Description = "Costs per trial (AutoTVM's repeat)", DefaultValueFactory = _ => MeasureOptions.Default.Repeat };
        var number = new Option<int>("--number") { Description = "Runs averaged into one cost (AutoTVM's number)", DefaultValueFactory = _ => MeasureOptions.Default.Number };
        var minRepeatMs = new Option<double>("--min-repeat-ms") { Description = "Lengthen a cost to at least this many milliseconds (AutoTVM's min_repeat_ms)", DefaultValueFactory = _ => 0 };
        var timeout = new Option<double>("--timeout") { Description = "Board seconds a run may take before it counts as hung", DefaultValueFactory = _ => MeasureOptions.Default.TimeoutSeconds };
        var xgbFeature = XgbFeatureOption.Create();
        var command = new Command("tune", "Tune workloads: build configurations, measure them on a target, and learn where the fastest valid one lies")
        {
            board, target, groundTruth, tunerName, trials, seed, logPath, resume, plot, transfer, validityModel, gateExploration, earlyStopping, noCheck,
            repeat, number, minRepeatMs, timeout, xgbFeature,
        };
        selection.AddTo(command);
        command.Options.Add(plotLogX);
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

            if ((parse.GetValue(transfer) ?? []).Length > 0 && TunerFactory.Find(name) is { TakesTransfer: false })
            {
                throw new CliException($"--transfer needs a model-based tuner ({string.Join(", ", TunerFactory.Descriptors.Where(d => d.TakesTransfer).Select(d => d.Name))}); the {name} tuner has no model to train");
            }

            var features = XgbFeatureOption.Get(parse, xgbFeature);
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
            }

            // The log is checked before a board is reached (auto: its board, then the kind once it is chosen).
            var choice = TargetChoice(context, parse.GetValue(target), b);
            TuningRun.RequireSameTarget(path, previous, tasks, choice == "auto" ? null : choice, b.Name);

            // Every input is read before a board is reached.
            var transferred = (parse.GetValue(transfer) ?? []).SelectMany(p => Logs.Read(context, p)).ToList();
            using var gate = parse.GetValue(validityModel) is { } modelPath ? OpenGate(modelPath, b) : null;
            var measureOn = OpenTarget(context, choice, b, () => tasks.Select(w => GroundTruthCommand.Load(parse.GetValue(groundTruth)!, w, b)));
            using var owned = measureOn as IDisposable;
            if (choice == "auto")
            {
                TuningRun.RequireSameTarget(path, previous, tasks, measureOn.Kind, b.Name);
            }
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

            var results = Tune(context, new TuneSetup(b, measureOn, tasks, name, options, path, previous, transferred, gate, features));
            PrintSummary(context, results, measureOn.Kind);
            foreach (var r in results.Where(r => r.Trials < budget && r.StopReason is not null))
            {
                context.Error.WriteLine($"hiltuner: {r.Workload} stopped at {r.Trials} of {budget} trials: {r.StopReason}");
            }

            if (parse.GetValue(plot) is { } png)
            {
                var continued = results.FirstOrDefault(r => r.ContinuedFrom is not null)?.ContinuedFrom;
                ConvergencePlot.Save(png, results, $"{name} on {b.Name} ({b.Vta.TargetModel}){(measureOn.Kind == "replay" ? ", replay" : string.Empty)}{(continued is null ? string.Empty : $", continuing a log of {continued}")}", Logs.Read(context, path), parse.GetValue(plotLogX));
                context.Out.WriteLine($"plot: {png}");
            }

            context.Out.WriteLine($"log: {path}");

            // A board lost after the last measurement (its reset ladder exhausted) stops a script as one lost earlier would.
            if (measureOn is MeasurementRunner { Failure: { } failure })
            {
                throw new BoardFailureException(failure);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The environment variable that chooses the target when <c>--target</c> is not given (a CI job sets it to sim).</summary>
    public const string TargetVariable = "HILTUNER_TARGET";

    private static readonly string[] Targets = ["sim", "board", "auto", "replay"];

    /// <summary><c>--target</c> when given, else <c>$HILTUNER_TARGET</c>, else auto for a board file with a link and sim without.</summary>
    private static string TargetChoice(CliContext context, string? option, Board board)
    {
        var (choice, from) = option is not null
            ? (option, "--target")
            : context.Environment(TargetVariable) is { Length: > 0 } variable ? (variable, TargetVariable) : (board.Link is null ? "sim" : "auto", "default");
        return Targets.Contains(choice)
            ? choice
            : throw new CliException($"{from}: unknown target \"{choice}\" (known: {string.Join(", ", Targets)})");
    }

    /// <summary>
    /// The target chosen, announced in one line. Auto tries the board file's link and the health check (HELLO and a
    /// program with a known answer) once, at the start: the board when it passes, otherwise the simulator of the same
    /// board file, saying why the board was not used. A board lost later is a board failure, never a switch.
    /// </summary>
    private static ITarget OpenTarget(CliContext context, string choice, Board board, Func<IEnumerable<GroundTruthTable>> groundTruth)
    {
        void Chosen(string what) => context.Error.WriteLine($"hiltuner: target: {what}");
        if (choice == "replay")
        {
            var replay = new ReplayTarget(board, groundTruth());
            Chosen("replay: measurements are replayed from ground-truth tables, not run");
            return replay;
        }

        if (choice == "sim" || (choice == "auto" && board.Link is null))
        {
            Chosen($"sim (the simulator of {board.Name}){(choice == "auto" ? $": {board.Source} has no link section" : string.Empty)}");
            return new SimTarget(board);
        }

        // The link's and the ladder's lines while the board is tried wait behind the line that names the target.
        List<string>? held = [];
        void Release()
        {
            held?.ForEach(context.Error.WriteLine);
            held = null;
        }

        var target = BoardTarget.Open(board, line =>
        {
            if (held is null)
            {
                context.Error.WriteLine(line);
            }
            else
            {
                held.Add(line);
            }
        });
        try
        {
            // A board that is not healthy now stops the run before anything is recorded (exit code 3), or, with auto,
            // leaves it to the simulator.
            target.RequireHealthy();
            Chosen($"board ({board.Name} over {target.Session.Link.Describe})");
            Release();
            return target;
        }
        catch (Exception e) when (choice == "auto" && e is BoardFailureException or LinkLostException or HostKeyException)
        {
            target.Dispose();
            Chosen($"sim (the simulator of {board.Name}, with its VTA configuration and timing): the board was not used: {e.Message}");
            Release();
            return new SimTarget(board);
        }
        catch
        {
            target.Dispose();
            Release();
            throw;
        }
    }

    /// <summary>What one <c>tune</c> run works with.</summary>
    private sealed record TuneSetup(
        Board Board, ITarget Target, IReadOnlyList<Workload> Workloads, string Tuner, TuningOptions Options, string LogPath,
        IReadOnlyList<TuningRecord> Previous, IReadOnlyList<TuningRecord> Transferred, ValidityGate? Gate, XgbFeatureKind XgbFeature);

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
        if (run.Gate is { } gate)
        {
            context.Error.WriteLine($"hiltuner: validity gate {gate.Predictor}: programs predicted to fail are skipped ({run.Options.GateExploration:P0} of them measured anyway)");
        }

        var results = new List<TaskProgress>();
        using var log = TuningLog.Append(run.LogPath);
        var tuning = new TuningRun
        {
            Board = run.Board,
            Target = run.Target,
            Tuner = run.Tuner,
            Options = run.Options,
            Previous = run.Previous,
            LogPath = run.LogPath,
            Transferred = run.Transferred,
            Gate = run.Gate,
            XgbFeature = run.XgbFeature,
            Note = line => context.Error.WriteLine($"hiltuner: {line}"),
        };
        var display = new ProgressDisplay(context, run.Workloads.Select(w => w.Name).ToList(), (int)Math.Min(run.Options.Trials, int.MaxValue));
        display.Run(report =>
        {
            foreach (var workload in run.Workloads)
            {
                results.Add(tuning.Tune(workload, [log, new ProgressObserver(report)]));
            }
        });
        return results;
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
