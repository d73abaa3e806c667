using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HilTuner.Hardware;
using HilTuner.Tuning.CoSearch;
using HilTuner.Vta.Config;
using ScottPlot;

namespace HilTuner.Cli.Commands;

/// <summary>
/// <c>hiltuner cosearch</c>: network architecture × VTA bitstream × schedule co-search (after CHaNAS), on the
/// simulator of the board file, with block pre-scheduling into an AutoTVM log and accuracies from outside.
/// </summary>
internal static partial class CoSearchCommand
{
    public static Command Create(CliContext context)
    {
        var space = new Option<string>("--space") { Description = "The architecture family (JSON; see the README's co-search section)", HelpName = "SPACE.json", Required = true };
        var board = BoardOption.Create();
        var truth = new Option<string?>("--truth-board") { Description = "Measure on the simulator of this board file (its fabric and timing, e.g. a calibrated board); --board still gives the part and the default configuration", HelpName = "FILE" };
        var table = new Option<string?>("--accuracy") { Description = "Accuracy table: CSV with the header architecture,top1[,train_top1]", HelpName = "TABLE.csv" };
        var command = new Option<string?>("--accuracy-cmd") { Description = "Command (sh -c) that reads an architecture's JSON on stdin and prints top-1 [and train top-1]", HelpName = "CMD" };
        var latencyBudget = new Option<double?>("--latency-budget") { Description = "Keep networks at or under this latency (ms), the most accurate first", HelpName = "MS" };
        var accuracyMin = new Option<double?>("--accuracy-min") { Description = "Keep networks whose accuracy objective reaches this (0–1), the fastest first", HelpName = "A" };
        var budget = new Option<int>("--budget") { Description = "Board measurements of the validity-first tuner per block (beyond the default schedule's)", HelpName = "N", DefaultValueFactory = _ => 8 };
        var output = new Option<string>("--out") { Description = "Output directory: schedules.log, accuracy.jsonl, front.json, front.png; a run resumes from it", HelpName = "DIR", DefaultValueFactory = _ => "cosearch" };
        var configs = new Option<string[]>("--vta-config") { Description = "A VTA configuration the search may choose (repeatable): 1x16_i8w8a32_15_15_18_17, or a vta_config.json / board file; default: the board's", HelpName = "NAME" };
        var seed = new Option<int>("--seed") { Description = "Seed of the search and of the tuners", DefaultValueFactory = _ => 0 };
        var population = new Option<int>("--population") { Description = "Candidates per generation", DefaultValueFactory = _ => 12 };
        var generations = new Option<int>("--generations") { Description = "Generations of the evolutionary search", DefaultValueFactory = _ => 6 };
        var gapWeight = new Option<double>("--gap-weight") { Description = "λ in the objective top-1 − λ·max(0, train − top-1) (with train accuracies)", DefaultValueFactory = _ => 1 };
        var cmd = new Command("cosearch", "Search network architectures, VTA bitstreams and schedules together: latency from each layer's tuned schedule (block pre-scheduling), accuracy from a table or a command")
        {
            space, board, truth, table, command, latencyBudget, accuracyMin, budget, output, configs, seed, population, generations, gapWeight,
        };
        cmd.SetAction(parse =>
        {
            try
            {
                return Run(context, parse, new Inputs(space, board, truth, table, command, latencyBudget, accuracyMin, budget, output, configs, seed, population, generations, gapWeight));
            }
            catch (CoSearchException e)
            {
                throw new CliException(e.Message);
            }
        });
        return cmd;
    }

    private sealed record Inputs(
        Option<string> Space, Option<string?> Board, Option<string?> Truth, Option<string?> Table, Option<string?> Command,
        Option<double?> LatencyBudget, Option<double?> AccuracyMin, Option<int> Budget, Option<string> Out, Option<string[]> Configs,
        Option<int> Seed, Option<int> Population, Option<int> Generations, Option<double> GapWeight);

    private static int Run(CliContext context, ParseResult parse, Inputs o)
    {
        var (latency, minimum) = (parse.GetValue(o.LatencyBudget), parse.GetValue(o.AccuracyMin));
        if ((latency is null) == (minimum is null))
        {
            throw new CliException("give one of --latency-budget MS and --accuracy-min A");
        }

        if (latency is { } l && !(l > 0 && double.IsFinite(l)))
        {
            throw new CliException($"--latency-budget must be a positive number of milliseconds, not {l}");
        }

        if (minimum is { } m && !(m is >= 0 and <= 1))
        {
            throw new CliException($"--accuracy-min must be an accuracy from 0 to 1, not {m}");
        }

        var (tablePath, commandText) = (parse.GetValue(o.Table), parse.GetValue(o.Command));
        if ((tablePath is null) == (commandText is null))
        {
            throw new CliException("give one of --accuracy TABLE.csv and --accuracy-cmd CMD");
        }

        foreach (var (option, value) in new[] { ("--budget", parse.GetValue(o.Budget)), ("--population", parse.GetValue(o.Population)), ("--generations", parse.GetValue(o.Generations)) })
        {
            if (value is < 1 or > 10_000)
            {
                throw new CliException($"{option} must be from 1 to 10000, not {value}");
            }
        }

        if (!(parse.GetValue(o.GapWeight) is >= 0 and <= 100))
        {
            throw new CliException($"--gap-weight must be from 0 to 100, not {parse.GetValue(o.GapWeight)}");
        }

        // Every input is read and checked before anything is measured.
        var family = ArchitectureSpace.Load(parse.GetValue(o.Space)!);
        var basis = BoardOption.Load(parse, o.Board);
        var measureOn = parse.GetValue(o.Truth) is { } truthPath ? BoardOption.Load(truthPath) : basis;
        IAccuracySource accuracy = tablePath is not null ? AccuracyTable.Load(tablePath) : new AccuracyCommand(commandText!);
        var boards = Bitstreams(context, basis, measureOn, parse.GetValue(o.Configs) ?? []);

        var dir = parse.GetValue(o.Out)!;
        Logs.RequireWritableDirectory(dir, "--out");
        var accuracyCache = Path.Combine(dir, "accuracy.jsonl");
        var options = new CoSearchOptions
        {
            LatencyBudgetMs = latency,
            AccuracyMin = minimum,
            GapWeight = parse.GetValue(o.GapWeight),
            Population = parse.GetValue(o.Population),
            Generations = parse.GetValue(o.Generations),
            Seed = parse.GetValue(o.Seed),
        };

        var targets = boards.ToDictionary(b => b.Name, b => new SimTarget(b));
        using var library = new ScheduleLibrary(Path.Combine(dir, "schedules.log"), parse.GetValue(o.Budget), options.Seed, b => targets[b.Name])
        {
            Note = line => context.Error.WriteLine($"hiltuner: cosearch: {line}"),
        };
        context.Error.WriteLine($"hiltuner: cosearch: {family.Name}: {family.Size:0} architectures × {boards.Count} VTA configuration(s), measured on the simulator of {measureOn.Name}; schedule library {library.Path}");
        using var cache = new StreamWriter(accuracyCache, append: true);
        var run = new CoSearchRun(family, boards, accuracy, library, options)
        {
            Learned = (encoding, a) =>
            {
                cache.WriteLine(new JsonObject { ["architecture"] = encoding, ["top1"] = a.Top1, ["train_top1"] = a.Train }.ToJsonString());
                cache.Flush();
            },
            Report = (search, g, gs, evaluated, best) => context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hiltuner: cosearch: [{search}] generation {g}/{gs}: {evaluated} candidates, {library.Blocks} blocks in the library ({library.Measured} measurements this run){(best is null ? string.Empty : $"; best {best.Architecture.Encoding} on {best.Board.Vta.ConfigString}: top-1 {best.Accuracy.Top1:0.###}, {best.LatencyMs:0.###} ms tuned, {best.DefaultMs:0.###} ms default")}")),
        };
        foreach (var (encoding, a) in ReadCache(accuracyCache))
        {
            run.Remember(encoding, a);
        }

        var result = run.Run();
        var about = new JsonObject
        {
            ["measured_on"] = $"simulator of {measureOn.Name}",
            ["accuracy_from"] = accuracy.Describe,
            ["budget_per_block"] = library.Budget,
            ["blocks"] = library.Blocks,
            ["measurements_this_run"] = library.Measured,
            ["constraint"] = latency is { } lb ? $"latency <= {lb.ToString(CultureInfo.InvariantCulture)} ms" : $"objective >= {minimum!.Value.ToString(CultureInfo.InvariantCulture)}",
            ["vta_configs"] = new JsonArray([.. boards.Select(b => (JsonNode)b.Vta.ConfigString)]),
        };
        var frontPath = Path.Combine(dir, "front.json");
        File.WriteAllText(frontPath, CoSearchResult.Write(result.ToJson(family.Name, options.GapWeight, about)) + "\n");
        var png = Path.Combine(dir, "front.png");
        Plot(result, png, $"{family.Name}: co-search on the simulator of {measureOn.Name}", options.GapWeight);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"front: {result.Front.Count} points; default-schedule front: {result.DefaultFront.Count} points, {result.DominatedDefaultPoints} dominated once tuned; gain at equal accuracy: {(result.Gain is { } g ? $"{g:0.###}×" : "none (no baseline choice)")}{(result.GainOverDefaultSchedules is { } d ? $" ({d:0.###}× over its default schedules)" : string.Empty)}"));
        if (result.Chosen is { } c)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chosen: {c.Architecture.Encoding} on {c.Board.Vta.ConfigString}: top-1 {c.Accuracy.Top1:0.###}, {c.LatencyMs:0.###} ms"));
        }

        context.Out.WriteLine($"front: {frontPath}");
        context.Out.WriteLine($"plot: {png}");
        context.Out.WriteLine($"schedules: {library.Path}");
        return 0;
    }

    [GeneratedRegex(@"^(\d+)x(\d+)_i(\d+)w(\d+)a(\d+)_(\d+)_(\d+)_(\d+)_(\d+)$")]
    private static partial Regex ConfigName();

    /// <summary>
    /// The boards the search chooses among: one per <c>--vta-config</c> (the board's own configuration without one),
    /// each on the measuring board's fabric and timing, and each checked against the part's DSP and block RAM.
    /// </summary>
    private static List<Board> Bitstreams(CliContext context, Board basis, Board measureOn, string[] names)
    {
        var part = FpgaPart.Of(basis);
        if (part is null)
        {
            context.Error.WriteLine($"hiltuner: cosearch: {basis.Source} has no fpga section: the VTA configurations are not checked against the part's resources");
        }

        var boards = new List<Board>();
        foreach (var name in names.Length == 0 ? [basis.Vta.ConfigString] : names)
        {
            var vta = Config(name, basis);
            var estimate = ResourceEstimate.Of(vta);
            if (part is not null && estimate.Problem(part) is { } problem)
            {
                context.Error.WriteLine($"hiltuner: cosearch: --vta-config {name} left out: {problem} ({estimate})");
                continue;
            }

            var board = vta.ConfigString == measureOn.Vta.ConfigString ? measureOn : measureOn with
            {
                Name = $"{measureOn.Name}-{vta.ConfigString}",
                Vta = vta,
                Hardware = measureOn.Hardware with { UopBufferDepth = Math.Min(measureOn.Hardware.UopBufferDepth, vta.UopBuffDepth) },
            };
            if (boards.All(b => b.Vta.ConfigString != vta.ConfigString))
            {
                boards.Add(board);
            }
        }

        return boards.Count > 0
            ? boards
            : throw new CliException($"--vta-config: none of the configurations fits the {part?.Part} of {basis.Source}");
    }

    /// <summary>A configuration name (<c>1x16_i8w8a32_15_15_18_17</c>) or file, checked as a board file's is.</summary>
    private static VtaConfig Config(string name, Board basis)
    {
        if (ConfigName().Match(name) is { Success: true } m)
        {
            int Log2(int group, string what)
            {
                var v = int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
                return v > 0 && (v & (v - 1)) == 0 ? int.Log2(v) : throw new CliException($"--vta-config {name}: {what} {v} is not a power of two");
            }

            var json = new JsonObject
            {
                ["TARGET"] = basis.Vta.Target,
                ["HW_VER"] = basis.Vta.HwVer,
                ["LOG_INP_WIDTH"] = Log2(3, "the input width"),
                ["LOG_WGT_WIDTH"] = Log2(4, "the weight width"),
                ["LOG_ACC_WIDTH"] = Log2(5, "the accumulator width"),
                ["LOG_BATCH"] = Log2(1, "BATCH"),
                ["LOG_BLOCK"] = Log2(2, "BLOCK"),
                ["LOG_UOP_BUFF_SIZE"] = int.Parse(m.Groups[6].Value, CultureInfo.InvariantCulture),
                ["LOG_INP_BUFF_SIZE"] = int.Parse(m.Groups[7].Value, CultureInfo.InvariantCulture),
                ["LOG_WGT_BUFF_SIZE"] = int.Parse(m.Groups[8].Value, CultureInfo.InvariantCulture),
                ["LOG_ACC_BUFF_SIZE"] = int.Parse(m.Groups[9].Value, CultureInfo.InvariantCulture),
            };
            return Board.Parse(json.ToJsonString(), $"--vta-config {name}").Vta;
        }

        return File.Exists(name)
            ? Board.Load(name).Vta
            : throw new CliException($"--vta-config {name}: neither a configuration name like 1x16_i8w8a32_15_15_18_17 nor a file");
    }

    private static IEnumerable<(string, Accuracy)> ReadCache(string path)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(path))
        {
            // A line torn by a stop mid-write is asked again.
            JsonNode? node = null;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (System.Text.Json.JsonException)
            {
            }

            if (node?["architecture"]?.GetValue<string>() is { } encoding && node["top1"]?.GetValue<double>() is { } top1)
            {
                yield return (encoding, new Accuracy(top1, node["train_top1"]?.GetValue<double>()));
            }
        }
    }

    /// <summary>The accuracy objective against latency: every candidate (tuned), the tuned front, and the default-schedule front at its default latency.</summary>
    private static void Plot(CoSearchResult result, string path, string title, double gapWeight)
    {
        var plot = new Plot();
        var all = result.Front.Concat(result.DefaultFront).ToList();
        var front = plot.Add.ScatterLine(result.Front.Select(e => e.LatencyMs!.Value).ToArray(), result.Front.Select(e => e.Accuracy.Score(gapWeight)).ToArray(), Colors.Blue);
        front.LegendText = "Pareto front, tuned schedules (co-search)";
        front.ConnectStyle = ConnectStyle.StepVertical;
        front.MarkerSize = 8;
        if (result.DefaultFront.Count > 0)
        {
            var fallback = plot.Add.ScatterLine(result.DefaultFront.Select(e => e.DefaultMs!.Value).ToArray(), result.DefaultFront.Select(e => e.Accuracy.Score(gapWeight)).ToArray(), Colors.Red);
            fallback.LegendText = "Pareto front, default schedules (architecture-only)";
            fallback.ConnectStyle = ConnectStyle.StepVertical;
            fallback.LinePattern = LinePattern.Dashed;
            fallback.MarkerSize = 8;
            var tuned = result.DefaultFront.Where(e => e.LatencyMs is not null).ToList();
            var same = plot.Add.ScatterPoints(tuned.Select(e => e.LatencyMs!.Value).ToArray(), tuned.Select(e => e.Accuracy.Score(gapWeight)).ToArray(), Colors.Orange);
            same.LegendText = "the default front's networks, tuned";
            same.MarkerShape = MarkerShape.OpenCircle;
            same.MarkerSize = 10;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic();
        plot.Title(title);
        plot.XLabel("latency (ms, sum of the layers' measured times on the simulator)");
        plot.YLabel("accuracy objective: top-1 − λ·generalization gap");
        plot.ShowLegend(Edge.Bottom);
        if (all.Count == 0)
        {
            plot.Add.Annotation("no candidate ran");
        }

        plot.SavePng(path, 1000, 650);
    }
}
