using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Benchmarks;
using HilTuner.Tuning.Tuners;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner bench tuners</c>: tuners side by side on truth boards, relative to the XGB baseline.</summary>
internal static class BenchTunersCommand
{
    private static readonly BenchmarkMetric[] Metrics = Enum.GetValues<BenchmarkMetric>();

    public static Command Create(CliContext context)
    {
        var workloads = new Option<string>("--workloads") { Description = "A network (resnet18) or workloads separated by commas", HelpName = "W", DefaultValueFactory = _ => "resnet18" };
        var board = BoardOption.Create();
        var seeds = new Option<int>("--seeds") { Description = "Runs per tuner, layer and truth board", DefaultValueFactory = _ => 10 };
        var trials = new Option<int>("--trials") { Description = "Trials per run", DefaultValueFactory = _ => 200 };
        var seedBase = new Option<int>("--seed-base") { Description = "The first seed", DefaultValueFactory = _ => 1 };
        var tuners = new Option<string>("--tuners") { Description = "Tuners separated by commas", DefaultValueFactory = _ => "random,xgb,xgb-vinit,ml2,hiltuner" };
        var groundTruth = new Option<string>("--groundtruth") { Description = "Where ground-truth tables are kept (missing ones are measured)", HelpName = "DIR", DefaultValueFactory = _ => GroundTruthCommand.DefaultDirectory };
        var truthBoards = TruthBoardOption.Create();
        var noiseCv = TruthBoardOption.NoiseCv();
        var noTransfer = new Option<bool>("--no-transfer") { Description = "Do not give a tuner the records it measured on the earlier layers of its sequence" };
        var transfer = new Option<string[]>("--transfer") { Description = "Logs of other runs every tuner that takes transfer learns from (repeatable); their records cost this benchmark nothing, so the header counts them", HelpName = "LOG" };
        var tolerance = new Option<double>("--tolerance") { Description = "A configuration counts as the best when its noise-free truth time is within this fraction of the optimum's (0: the optimum exactly)", DefaultValueFactory = _ => 0.01 };
        var threads = new Option<int>("--threads") { Description = "Sequences in parallel (0: one per core)", DefaultValueFactory = _ => 0 };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG: best-so-far (fraction of the optimum) against board measurements, median and interquartile band per tuner, one panel per truth board", HelpName = "FILE.png" };
        var xgbFeature = XgbFeatureOption.Create();
        var json = new Option<bool>("--json") { Description = "End with one JSON line: per tuner the geometric-mean ratios with ci_low/ci_high and the mean score, over truth boards and per truth board" };
        var command = new Command("tuners", """
            Tune the layers in order with every tuner and several seeds and report, per truth board and layer, per truth
            board and over all truth boards (geometric means), relative to xgb with 95% bootstrap intervals: board
            measurements and trials until the optimum is found, failed trials, invalid board measurements, board time lost
            to hangs, and Willemsen et al.'s score (0 = random search, 1 = the optimum at once). Tuners compile, estimate
            and gate with --board; every measurement comes from a truth board's simulator (ground-truth tables measured
            once) with noise. A tuner learns of other layers only from what it measured itself on the earlier layers of
            its sequence, or from --transfer logs.
            """) { workloads, board, truthBoards, noiseCv, seeds, trials, seedBase, tuners, groundTruth, noTransfer, transfer, tolerance, threads, xgbFeature, plot, json };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var truths = TruthBoardOption.Load(parse, truthBoards, b);
            var cv = TruthBoardOption.LoadNoiseCv(parse, noiseCv);
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

            var within = parse.GetValue(tolerance);
            if (!(within >= 0 && within < 1))
            {
                throw new CliException($"--tolerance must be at least 0 and below 1, not {within.ToString(CultureInfo.InvariantCulture)}");
            }

            var transferPaths = parse.GetValue(transfer) ?? [];
            OutputPaths.RequireNotAnInput("--plot", parse.GetValue(plot), [.. transferPaths.Select(t => ("--transfer", (string?)t))]);
            var transferred = transferPaths.SelectMany(p => Logs.Read(context, p)).ToList();
            var features = XgbFeatureOption.Get(parse, xgbFeature);
            var layers = Layers(parse.GetValue(workloads)!, b);
            var directory = parse.GetValue(groundTruth)!;
            Logs.RequireWritableDirectory(directory, "--groundtruth");
            context.Out.WriteLine(TruthBoardOption.Headline(b, truths, cv));
            var truthTables = truths.Select(t => new TruthBoard(t, layers.Select(w => GroundTruthTable.LoadOrMeasure(directory, w, t,
                (done, total) =>
                {
                    if (done == total)
                    {
                        context.Error.WriteLine($"[{w.Name}] ground truth of {t.Name} measured: {total} configurations");
                    }
                })).ToList())).ToList();
            var options = new TunerBenchmarkOptions
            {
                Tuners = names,
                Seeds = parse.GetValue(seeds),
                Trials = parse.GetValue(trials),
                SeedBase = parse.GetValue(seedBase),
                Transfer = !parse.GetValue(noTransfer),
                TransferLogs = transferred,
                NoiseCv = cv,
                Threads = parse.GetValue(threads),
                XgbFeature = features,
                Tolerance = within,
            };
            context.Error.WriteLine($"hiltuner: tuners on {truths.Count} truth board(s), on replay of their simulators: {names.Length} tuners × {layers.Count} layers in order × {options.Seeds} seeds × {options.Trials} trials; {Best(options.Tolerance)}" +
                (transferred.Count > 0 ? $"; {transferred.Count} record(s) of --transfer logs learnt from (not measured in this run)" : string.Empty));
            var result = TunerBenchmark.Run(b, truthTables, options, message => context.Error.WriteLine(message));
            Print(context, result);
            if (parse.GetValue(plot) is { } png)
            {
                BenchmarkPlot.Save(png, result);
                context.Error.WriteLine($"hiltuner: plot written to {png}");
            }

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

    /// <summary>Figures published by others, in the same table as ours, never mixed with them.</summary>
    internal static readonly (string Name, string Source, double? MeasurementsToBest, double? InvalidMeasurements)[] Published =
    [
        ("Rieber et al. (published, not ours)", "arXiv 2205.15568: 41.6% of AutoTVM's measurements", 0.416, null),
        ("ML²Tuner (published, not ours)", "arXiv 2411.10764: 12.3% of the samples, 60.8% fewer invalid profiling attempts", 0.123, 1 - 0.608),
    ];

    private static void Print(CliContext context, TruthBenchmarkResult all)
    {
        var tuners = all.Options.Tuners;
        foreach (var result in all.Boards)
        {
            foreach (var layer in result.Layers)
            {
                var table = new Table().AddColumns("tuner", "found", "measurements to best", "trials to best", "failed trials", "invalid measurements", "lost s", "score");
                table.Title = new TableTitle(Markup.Escape($"{layer.Workload} on {Where(result)}: optimum {layer.OptimumGflops:F2} GFLOPS, {layer.SpaceSize} configurations, {layer.BestCount} of them the best"));
                foreach (var tuner in tuners)
                {
                    var cells = new List<string> { tuner, $"{result.Found(tuner, layer.Workload)}/{result.Options.Seeds}" };
                    cells.AddRange(Metrics.Select(m => Cell(result, m, tuner, layer.Workload)));
                    cells.Add(F(result.Score(tuner, layer.Workload), "F3"));
                    table.AddRow(cells.Select(Markup.Escape).ToArray());
                }

                context.Console.Write(table);
            }

            Summary(context, $"{Where(result)}, relative to {all.Options.Baseline}: geometric mean over {result.Layers.Count} layer(s) [95% bootstrap interval]",
                tuners, (m, t) => result.GeometricMeanInterval(m, t), result.MeanScore, result.FloorInterval, published: all.Boards.Count == 1);
        }

        if (all.Boards.Count > 1)
        {
            Summary(context, $"all {all.Boards.Count} truth boards, relative to {all.Options.Baseline}: geometric mean over {all.Boards.Count} boards × {all.Boards[0].Layers.Count} layer(s) [95% bootstrap interval]",
                tuners, all.GeometricMeanInterval, all.MeanScore, all.FloorInterval, published: true);
        }

        context.Out.WriteLine(Best(all.Options.Tolerance));
        if (tuners.Contains("hiltuner"))
        {
            var measurements = all.GeometricMeanInterval(BenchmarkMetric.MeasurementsToBest, "hiltuner");
            var invalid = all.GeometricMeanInterval(BenchmarkMetric.InvalidMeasurements, "hiltuner");
            var floor = all.FloorInterval(BenchmarkMetric.MeasurementsToBest);
            context.Out.WriteLine($"target (hiltuner ≤ 0.12 of xgb's measurements to best, ≤ 0.39 of its invalid measurements): measurements to best {Verdict(measurements, 0.12)}, invalid measurements {Verdict(invalid, 0.39)}");
            context.Out.WriteLine($"floor of the measurements-to-best ratio against this baseline (the best measured first on every layer): {(floor is { } f ? WithInterval(f) : "n/a")}{(floor is { } g && g.Value > 0.12 ? ": the 0.12 target is below what any tuner can reach here" : "")}");
        }
    }

    private static string Best(double tolerance) => tolerance > 0
        ? $"the best: a configuration whose noise-free truth time is within {(tolerance * 100).ToString("0.##", CultureInfo.InvariantCulture)}% of the optimum's (--tolerance {tolerance.ToString(CultureInfo.InvariantCulture)})"
        : "the best: the optimum itself (--tolerance 0)";

    private static string Where(BenchmarkResult result) =>
        result.TruthIsNominal ? $"{result.Board.Name} (replay, the nominal board as truth)" : $"truth board {result.Board.Name} (replay; tuners know {result.Nominal.Name})";

    private static void Summary(CliContext context, string title, IReadOnlyList<string> tuners, Func<BenchmarkMetric, string, Interval?> ratio, Func<string, double> score, Func<BenchmarkMetric, Interval?> floor, bool published)
    {
        var summary = new Table().AddColumns(["tuner", .. Metrics.Select(m => m.JsonName() + " ratio"), "mean score"]);
        summary.Title = new TableTitle(Markup.Escape(title));
        foreach (var tuner in tuners)
        {
            summary.AddRow([tuner, .. Metrics.Select(m => Markup.Escape(ratio(m, tuner) is { } r ? WithInterval(r) : "n/a (xgb 0)")), F(score(tuner), "F3")]);
        }

        summary.AddRow([Markup.Escape(FloorName), .. Metrics.Select(m => Markup.Escape(floor(m) is { } r ? WithInterval(r) : "-")), "-"]);
        foreach (var (name, _, measurements, invalid) in published ? Published : [])
        {
            summary.AddRow([Markup.Escape(name), .. Metrics.Select(m => m switch
            {
                BenchmarkMetric.MeasurementsToBest when measurements is { } v => F(v, "F3"),
                BenchmarkMetric.InvalidMeasurements when invalid is { } v => F(v, "F3"),
                _ => "-",
            }), "-"]);
        }

        context.Console.Write(summary);
        foreach (var (name, source, _, _) in published ? Published : [])
        {
            context.Out.WriteLine($"{name}: {source}; their own benchmarks and hardware, not measured here");
        }
    }

    /// <summary>The row of the floor: a run that measures every layer's best first, not a tuner.</summary>
    private const string FloorName = "floor: the best measured first (not a tuner)";

    private static JsonObject Floor(Func<BenchmarkMetric, Interval?> floor)
    {
        var entry = new JsonObject();
        foreach (var metric in Metrics.Where(m => m.BestFirst() is not null))
        {
            AddRatio(entry, metric, floor(metric));
        }

        return entry;
    }

    /// <summary>A figure's ratio and its interval under the JSON keys <c>NAME_ratio</c>, <c>_ratio_ci_low</c>, <c>_ratio_ci_high</c>.</summary>
    private static void AddRatio(JsonObject entry, BenchmarkMetric metric, Interval? r)
    {
        entry[metric.JsonName() + "_ratio"] = r?.Value;
        entry[metric.JsonName() + "_ratio_ci_low"] = r?.Low;
        entry[metric.JsonName() + "_ratio_ci_high"] = r?.High;
    }

    private static string WithInterval(Interval r) => $"{F(r.Value, "F3")} [{F(r.Low, "F3")}–{F(r.High, "F3")}]";

    private static string Verdict(Interval? ratio, double target) =>
        ratio is { } r ? $"{WithInterval(r)} {(r.Value <= target ? "met" : "NOT met")}" : "n/a (xgb had none)";

    private static string Cell(BenchmarkResult result, BenchmarkMetric metric, string tuner, string workload)
    {
        var mean = result.Mean(metric, tuner, workload);
        if (tuner == result.Options.Baseline)
        {
            return F(mean, "F1");
        }

        return result.RatioInterval(metric, tuner, workload) is { } r ? $"{F(mean, "F1")} (×{F(r.Value, "F2")} [{F(r.Low, "F2")}–{F(r.High, "F2")}])" : $"{F(mean, "F1")} (xgb 0)";
    }

    private static JsonObject Figures(IReadOnlyList<string> tuners, Func<BenchmarkMetric, string, Interval?> ratio, Func<string, double> score)
    {
        var result = new JsonObject();
        foreach (var tuner in tuners)
        {
            var entry = new JsonObject();
            foreach (var metric in Metrics)
            {
                AddRatio(entry, metric, ratio(metric, tuner));
            }

            entry["score"] = score(tuner);
            result[tuner] = entry;
        }

        return result;
    }

    private static JsonObject Json(TruthBenchmarkResult all)
    {
        var tuners = all.Options.Tuners;
        var boards = new JsonObject();
        foreach (var result in all.Boards)
        {
            var perLayer = new JsonObject();
            foreach (var layer in result.Layers)
            {
                perLayer[layer.Workload] = Figures(tuners, (m, t) => result.RatioInterval(m, t, layer.Workload), t => result.Score(t, layer.Workload));
            }

            boards[result.Board.Name] = new JsonObject { ["tuners"] = Figures(tuners, result.GeometricMeanInterval, result.MeanScore), ["floor"] = Floor(result.FloorInterval), ["layers"] = perLayer };
        }

        return new JsonObject
        {
            ["target"] = "replay",
            ["board"] = all.Nominal.Name,
            ["truth_is_nominal"] = all.Boards.Count == 1 && all.Boards[0].TruthIsNominal,
            ["noise_cv"] = all.Options.NoiseCv,
            ["seeds"] = all.Options.Seeds,
            ["trials"] = all.Options.Trials,
            ["tolerance"] = all.Options.Tolerance,
            ["layers"] = new JsonArray(all.Boards[0].Layers.Select(l => (JsonNode?)JsonValue.Create(l.Workload)).ToArray()),
            ["tuners"] = Figures(tuners, all.GeometricMeanInterval, all.MeanScore),
            ["floor"] = Floor(all.FloorInterval),
            ["truth_boards"] = boards,
            ["published"] = new JsonArray(Published.Select(p => (JsonNode?)new JsonObject
            {
                ["name"] = p.Name,
                ["source"] = p.Source,
                ["measurements_to_best_ratio"] = p.MeasurementsToBest,
                ["invalid_measurements_ratio"] = p.InvalidMeasurements,
            }).ToArray()),
        };
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
