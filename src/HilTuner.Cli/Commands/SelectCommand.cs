using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Selection;
using HilTuner.Validity;
using HilTuner.Validity.Performance;
using HilTuner.Vta.Config;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner select</c>: the variant (board file / bitstream) of every layer of a network, from tuning logs and LANN.</summary>
internal static class SelectCommand
{
    public static Command Create(CliContext context)
    {
        var network = NetworkOption();
        var boards = new Option<string[]>("--board") { Description = "A variant: a board file, its VTA configuration one bitstream (repeatable; the first one's bitstream is loaded when the network starts)", HelpName = "FILE", Required = true, AllowMultipleArgumentsPerToken = false };
        var logs = new Option<string[]>("--log") { Description = "A tuning log: a layer it measured on a board gives that board's figure (repeatable)", HelpName = "LOG", AllowMultipleArgumentsPerToken = false };
        var models = new Option<string[]>("--model") { Description = "A LANN file (model train-perf) for the board it names: predicts the layers no log measured there (repeatable)", HelpName = "FILE.onnx", AllowMultipleArgumentsPerToken = false };
        var only = LayerOption();
        var inferences = new Option<int>("--inferences") { Description = "Inferences run layer after layer between bitstream loads (a batch): the layers' times count this many times, a switch once", DefaultValueFactory = _ => 1 };
        var candidates = SelectCommand.CandidatesOption();
        var json = new Option<bool>("--json") { Description = "End with one JSON line: every figure, the best variant per layer and the plan" };
        var command = new Command("select", """
            Variant selection: for every layer of the network, its best time on each board / VTA configuration — measured
            where a tuning log holds the layer on that board, else the best LANN predicts over every configuration that
            compiles there — the fastest variant per layer, and the whole network's plan by dynamic programming over the
            layers, where switching to another variant costs loading its bitstream (the board file's
            fpga.bitstream_load_ms), so that a mixed plan is chosen only when it pays for its loads.
            """) { network, only, boards, logs, models, inferences, candidates, json };
        command.SetAction(parse =>
        {
            var layers = Network(parse.GetValue(network)!, parse.GetValue(only));
            var runs = parse.GetValue(inferences);
            if (runs is < 1 or > 1_000_000)
            {
                throw new CliException($"--inferences must be from 1 to 1000000, not {runs}");
            }

            var variants = Boards(parse.GetValue(boards)!);
            var records = (parse.GetValue(logs) ?? []).SelectMany(log => Logs.Read(context, log)).ToList();
            var predictors = Models(parse.GetValue(models) ?? [], variants);
            try
            {
                var result = VariantSelection.Run(layers, [.. variants.Select(b => new SelectionVariant(
                    b, VariantSelection.Measured(records, b), predictors.TryGetValue(b.Name, out var p) ? rows => [.. p.Seconds(rows).Select(s => (double)s)] : null))], runs, Candidates(parse, candidates));
                Print(context, result, parse.GetValue(network)!);
                if (parse.GetValue(json))
                {
                    context.Out.WriteLine(HumanJson.Write(Json(result)));
                }
            }
            catch (SelectionException e)
            {
                throw new CliException(e.Message);
            }
            finally
            {
                foreach (var p in predictors.Values)
                {
                    p.Dispose();
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>The <c>--network</c> option: the network whose layers are placed.</summary>
    internal static Option<string> NetworkOption() => new("--network") { Description = "The network whose layers are placed", HelpName = "NAME", DefaultValueFactory = _ => "resnet18" };

    /// <summary>The <c>--candidates</c> option: how many configurations of a layer LANN predicts.</summary>
    internal static Option<int> CandidatesOption() => new("--candidates")
    {
        Description = "Configurations of a layer LANN predicts where no log measured it: the ones the board file's timing model estimates fastest (0: every one that compiles)",
        HelpName = "N",
        DefaultValueFactory = _ => VariantSelection.DefaultCandidates,
    };

    internal static int Candidates(ParseResult parse, Option<int> option) =>
        parse.GetValue(option) is var n and >= 0 ? n : throw new CliException($"--candidates must be 0 (every configuration) or more, not {parse.GetValue(option)}");

    /// <summary>The <c>--layer</c> option: only some of the network's layers.</summary>
    internal static Option<string[]> LayerOption() => new("--layer")
    {
        Description = "Only this layer of the network (repeatable; the network's order is kept): resnet18.C11 or C11",
        HelpName = "NAME",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The network's layers in order, or the ones <paramref name="only"/> names.</summary>
    internal static IReadOnlyList<Workload> Network(string name, string[]? only = null)
    {
        IReadOnlyList<Workload> layers;
        try
        {
            layers = WorkloadRegistry.Network(name);
        }
        catch (WorkloadException e)
        {
            throw new CliException($"--network: {e.Message}");
        }

        if (only is not { Length: > 0 })
        {
            return layers;
        }

        var named = only.Select(n => WorkloadRegistry.Find(n) is { } w && layers.Contains(w)
            ? w
            : throw new CliException($"--layer {n}: not a layer of {name} (its layers: {string.Join(", ", layers.Select(l => l.Name))})")).ToHashSet();
        return [.. layers.Where(named.Contains)];
    }

    /// <summary>The variants' board files, each name once; with more than one, each must say what loading its bitstream costs.</summary>
    internal static IReadOnlyList<Board> Boards(IReadOnlyList<string> paths) => Distinct([.. paths.Select(BoardOption.Load)]);

    /// <summary>The variants, checked: each name once; with more than one, each must say what loading its bitstream costs.</summary>
    internal static IReadOnlyList<Board> Distinct(IReadOnlyList<Board> boards)
    {
        if (boards.GroupBy(b => b.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new CliException($"--board: {string.Join(" and ", twice.Select(b => b.Source))} are both named {twice.Key}: each variant needs a board file of its own name");
        }

        if (boards.Count > 1 && boards.FirstOrDefault(b => b.BitstreamLoadMs is null) is { } unknown)
        {
            throw new CliException($"--board {unknown.Source}: no fpga.{Board.BitstreamLoadKey}: a switch to its bitstream cannot be weighed; give the time to load it (PYNQ-Z1: 470)");
        }

        return boards;
    }

    /// <summary>Each model file opened for the board it names (by its metadata); a model for no given board, or two for one, is an error.</summary>
    private static Dictionary<string, PerformancePredictor> Models(IReadOnlyList<string> paths, IReadOnlyList<Board> boards)
    {
        var opened = new Dictionary<string, PerformancePredictor>(StringComparer.Ordinal);
        try
        {
            foreach (var path in paths)
            {
                var name = ValidityPredictor.ReadInfo(path).GetString(ValidityModelFormat.BoardKey);
                var board = boards.FirstOrDefault(b => b.Name == name)
                    ?? throw new CliException($"--model {path}: trained for board {name ?? "(none recorded)"}, which is none of the --board files ({string.Join(", ", boards.Select(b => b.Name))})");
                if (opened.ContainsKey(board.Name))
                {
                    throw new CliException($"--model {path}: a second model for board {board.Name}");
                }

                opened[board.Name] = PerformancePredictor.Open(path, board);
            }

            return opened;
        }
        catch (Exception e)
        {
            foreach (var p in opened.Values)
            {
                p.Dispose();
            }

            throw e is ValidityModelException or PerformanceModelException ? new CliException(e.Message) : e;
        }
    }

    private static string Ms(double seconds) => (seconds * 1000).ToString("0.000", CultureInfo.InvariantCulture);

    private static void Print(CliContext context, SelectionResult r, string network)
    {
        var names = r.Variants.Select(v => v.Board.Name).ToList();
        var table = new Table().AddColumns(["layer", .. r.Variants.Select(v => $"{v.Board.Name} ({v.Board.Vta.ConfigString}), ms"), "fastest", "plan"]);
        table.Title = new TableTitle(Markup.Escape($"{network}: each layer's best time per variant (measured: from a tuning log; predicted: LANN's best over the compiled space)"));
        for (var i = 0; i < r.Layers.Count; i++)
        {
            table.AddRow([
                Markup.Escape(r.Layers[i].Name),
                .. r.Figures[i].Select(f => f is null ? "-" : Markup.Escape($"{Ms(f.Seconds)} {f.SourceName} #{f.Index}")),
                Markup.Escape(names[r.BestPerLayer[i]]),
                Markup.Escape(names[r.Plan.Variants[i]]),
            ]);
        }

        context.Console.Write(table);
        var loads = string.Join(", ", r.Variants.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Board.Name} {v.Board.BitstreamLoadMs?.ToString("0.###", CultureInfo.InvariantCulture) ?? "?"} ms")));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plan for {r.Inferences} inference(s), starting with {names[0]}'s bitstream loaded: {Ms(r.Plan.Seconds)} ms ({Ms(r.Plan.LayerSeconds)} ms of layers, {r.Plan.Switches} switch(es) costing {Ms(r.Plan.SwitchSeconds)} ms; bitstream loads: {loads})"));
        for (var v = 0; v < r.Variants.Count; v++)
        {
            context.Out.WriteLine(r.SingleVariantPlans[v] is { } single
                ? string.Create(CultureInfo.InvariantCulture, $"all on {names[v]}: {Ms(single.Seconds)} ms{(single.Switches > 0 ? $" (with its load, {Ms(single.SwitchSeconds)} ms)" : string.Empty)}")
                : $"all on {names[v]}: not possible (a layer has no figure there)");
        }

        context.Out.WriteLine(r.Plan.Mixed
            ? "the plan mixes variants: what the faster layers save pays for the bitstream loads"
            : r.BestPerLayer.All(v => v == r.Plan.Variants[0])
                ? $"the plan stays on {names[r.Plan.Variants[0]]}: it is the fastest for every layer"
                : $"the plan stays on {names[r.Plan.Variants[0]]}: another variant is faster for some layers, but switching would cost more than it saves");
    }

    private static JsonObject Json(SelectionResult r)
    {
        var names = r.Variants.Select(v => v.Board.Name).ToList();
        JsonNode? Figure(LayerFigure? f) => f is null ? null : new JsonObject { ["seconds"] = f.Seconds, ["source"] = f.SourceName, ["index"] = f.Index };
        return new JsonObject
        {
            ["variants"] = new JsonArray([.. r.Variants.Select(v => (JsonNode)new JsonObject
            {
                ["board"] = v.Board.Name,
                ["vta_config"] = v.Board.Vta.ConfigString,
                ["bitstream_load_ms"] = v.Board.BitstreamLoadMs,
            })]),
            ["inferences"] = r.Inferences,
            ["layers"] = new JsonArray([.. r.Layers.Select((w, i) => (JsonNode)new JsonObject
            {
                ["layer"] = w.Name,
                ["figures"] = new JsonObject(r.Figures[i].Select((f, v) => KeyValuePair.Create(names[v], Figure(f)))),
                ["fastest"] = names[r.BestPerLayer[i]],
                ["plan"] = names[r.Plan.Variants[i]],
            })]),
            ["plan"] = new JsonObject
            {
                ["seconds"] = r.Plan.Seconds,
                ["layer_seconds"] = r.Plan.LayerSeconds,
                ["switch_seconds"] = r.Plan.SwitchSeconds,
                ["switches"] = r.Plan.Switches,
                ["mixed"] = r.Plan.Mixed,
            },
            ["single"] = new JsonObject(r.SingleVariantPlans.Select((p, v) => KeyValuePair.Create(names[v], (JsonNode?)(p is null ? null : JsonValue.Create(p.Seconds))))),
        };
    }
}
