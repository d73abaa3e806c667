using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Benchmarks;
using HilTuner.Tuning.Tuners;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner bench tuners</c>: tuners side by side on replay, relative to the XGB baseline.</summary>
internal static class BenchTunersCommand
{
    private static readonly BenchmarkMetric[] Metrics = Enum.GetValues<BenchmarkMetric>();

    public static Command Create(CliContext context)
    {
        var workloads = new Option<string>("--workloads") { Description = "A network (resnet18) or workloads separated by commas", HelpName = "W", DefaultValueFactory = _ => "resnet18" };
        var board = BoardOption.Create();
        var seeds = new Option<int>("--seeds") { Description = "Runs per tuner and layer", DefaultValueFactory = _ => 5 };
        var trials = new Option<int>("--trials") { Description = "Trials per run", DefaultValueFactory = _ => 200 };
        var seedBase = new Option<int>("--seed-base") { Description = "The first seed", DefaultValueFactory = _ => 1 };
        var tuners = new Option<string>("--tuners") { Description = "Tuners separated by commas", DefaultValueFactory = _ => "random,xgb,xgb-vinit,ml2,hiltuner" };
        var groundTruth = new Option<string>("--groundtruth") { Description = "Where ground-truth tables are kept (missing ones are measured)", HelpName = "DIR", DefaultValueFactory = _ => GroundTruthCommand.DefaultDirectory };
        var noTransfer = new Option<bool>("--no-transfer") { Description = "Do not give validity-aware tuners what was measured on the other layers" };
        var threads = new Option<int>("--threads") { Description = "Runs in parallel (0: one per core)", DefaultValueFactory = _ => 0 };
        var xgbFeature = XgbFeatureOption.Create();
        var json = new Option<bool>("--json") { Description = "End with one JSON line: per tuner the geometric-mean ratios and the mean score" };
        var command = new Command("tuners", """
            Tune every layer with every tuner and several seeds on replay (answers from ground-truth tables, measured once
            on the simulator) and report, per layer and as a geometric mean over layers, relative to xgb: board
            measurements and trials until the optimum is found, failed trials, invalid board measurements, board time
            lost to hangs, and Willemsen et al.'s score (0 = random search, 1 = the optimum at once). The validity-aware
            tuners get, for each layer, a validity model and the programs measured on the other layers (leave one out).
            """) { workloads, board, seeds, trials, seedBase, tuners, groundTruth, noTransfer, threads, xgbFeature, json };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var names = parse.GetValue(tuners)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var name in names.Where(n => !TunerFactory.Names.Contains(n)))
            {
                throw new CliException($"unknown tuner \"{name}\" (known: {string.Join(", ", TunerFactory.Names)})");
            }

            if (!names.Contains("xgb"))
            {
                throw new CliException("--tuners must include xgb, the baseline every ratio is relative to");
            }

            foreach (var (option, value) in new[] { ("--seeds", parse.GetValue(seeds)), ("--trials", parse.GetValue(trials)) })
            {
                if (value < 1)
                {
                    throw new CliException($"{option} must be at least 1, not {value}");
                }
            }

            var features = XgbFeatureOption.Get(parse, xgbFeature);
            var layers = Layers(parse.GetValue(workloads)!, b);
            var directory = parse.GetValue(groundTruth)!;
            Logs.RequireWritableDirectory(directory, "--groundtruth");
            var tables = layers.Select(w => GroundTruthTable.LoadOrMeasure(directory, w, b,
                (done, total) =>
                {
                    if (done == total)
                    {
                        context.Error.WriteLine($"[{w.Name}] ground truth measured: {total} configurations");
                    }
                })).ToList();
            var options = new TunerBenchmarkOptions
            {
                Tuners = names,
                Seeds = parse.GetValue(seeds),
                Trials = parse.GetValue(trials),
                SeedBase = parse.GetValue(seedBase),
                Transfer = !parse.GetValue(noTransfer),
                Threads = parse.GetValue(threads),
                XgbFeature = features,
            };
            context.Error.WriteLine($"hiltuner: tuners on replay (ground truth of {b.Name}, measured on the simulator): {names.Length} tuners × {tables.Count} layers × {options.Seeds} seeds × {options.Trials} trials");
            var result = TunerBenchmark.Run(tables, options, message => context.Error.WriteLine(message));
            Print(context, result);
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(HumanJson.Write(Json(result)));
            }

            return 0;
        });
        return command;
    }

    private static IReadOnlyList<Workload> Layers(string spec, Vta.Config.Board board)
    {
        try
        {
            var list = spec.Contains(',', StringComparison.Ordinal) || WorkloadRegistry.Find(spec) is not null
                ? spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(WorkloadRegistry.Resolve).ToList()
                : WorkloadRegistry.Network(spec);
            if (list.Count == 0)
            {
                throw new CliException($"--workloads \"{spec}\" names no workload (give a network, resnet18, or workloads separated by commas)");
            }

            foreach (var w in list)
            {
                w.RequirePackable(board.Vta);
            }

            return list;
        }
        catch (Exception e) when (e is WorkloadException or ArgumentException)
        {
            throw new CliException(e.Message);
        }
    }

    private static void Print(CliContext context, BenchmarkResult result)
    {
        var tuners = result.Options.Tuners;
        foreach (var layer in result.Layers)
        {
            var table = new Table().AddColumns("tuner", "found", "measurements to best", "trials to best", "failed trials", "invalid measurements", "lost s", "score");
            table.Title = new TableTitle(Markup.Escape($"{layer.Workload} on {result.Board.Name} (replay): optimum {layer.OptimumGflops:F2} GFLOPS, {layer.SpaceSize} configurations"));
            foreach (var tuner in tuners)
            {
                var cells = new List<string> { tuner, $"{result.Found(tuner, layer.Workload)}/{result.Options.Seeds}" };
                cells.AddRange(Metrics.Select(m => Cell(result, m, tuner, layer.Workload)));
                cells.Add(F(result.Score(tuner, layer.Workload), "F3"));
                table.AddRow(cells.Select(Markup.Escape).ToArray());
            }

            context.Console.Write(table);
        }

        var summary = new Table().AddColumns(["tuner", .. Metrics.Select(m => m.JsonName() + " ratio"), "mean score"]);
        summary.Title = new TableTitle(Markup.Escape($"{result.Board.Name} (replay), relative to {result.Options.Baseline}: geometric mean over {result.Layers.Count} layer(s)"));
        foreach (var tuner in tuners)
        {
            summary.AddRow([tuner, .. Metrics.Select(m => result.GeometricMeanRatio(m, tuner) is { } r ? F(r, "F3") : "n/a (xgb 0)"), F(result.MeanScore(tuner), "F3")]);
        }

        context.Console.Write(summary);
        if (tuners.Contains("hiltuner"))
        {
            var measurements = result.GeometricMeanRatio(BenchmarkMetric.MeasurementsToBest, "hiltuner");
            var invalid = result.GeometricMeanRatio(BenchmarkMetric.InvalidMeasurements, "hiltuner");
            context.Out.WriteLine($"target (hiltuner ≤ 0.10 of xgb): measurements to best {Verdict(measurements)}, invalid measurements {Verdict(invalid)}");
        }
    }

    private static string Verdict(double? ratio) => ratio is { } r ? $"{r:F3} {(r <= 0.10 ? "met" : "NOT met")}" : "n/a (xgb had none)";

    private static string Cell(BenchmarkResult result, BenchmarkMetric metric, string tuner, string workload)
    {
        var mean = result.Mean(metric, tuner, workload);
        if (tuner == result.Options.Baseline)
        {
            return F(mean, "F1");
        }

        return result.Ratio(metric, tuner, workload) is { } r ? $"{F(mean, "F1")} (×{F(r, "F2")})" : $"{F(mean, "F1")} (xgb 0)";
    }

    private static JsonObject Json(BenchmarkResult result)
    {
        var tuners = new JsonObject();
        foreach (var tuner in result.Options.Tuners)
        {
            var entry = new JsonObject();
            foreach (var metric in Metrics)
            {
                entry[metric.JsonName() + "_ratio"] = result.GeometricMeanRatio(metric, tuner);
            }

            entry["score"] = result.MeanScore(tuner);
            tuners[tuner] = entry;
        }

        return new JsonObject
        {
            ["target"] = "replay",
            ["board"] = result.Board.Name,
            ["seeds"] = result.Options.Seeds,
            ["trials"] = result.Options.Trials,
            ["layers"] = new JsonArray(result.Layers.Select(l => (JsonNode?)JsonValue.Create(l.Workload)).ToArray()),
            ["tuners"] = tuners,
        };
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
