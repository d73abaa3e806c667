using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Selection;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner bench select</c>: variant selection judged against measuring every candidate on each variant's board.</summary>
internal static class BenchSelectCommand
{
    public static Command Create(CliContext context)
    {
        var network = SelectCommand.NetworkOption();
        var only = SelectCommand.LayerOption();
        var boards = new Option<string[]>("--board") { Description = "A variant as select sees it: a board file (repeatable, at least two; the first one's bitstream is loaded at the start); its simulator is the truth unless --truth-board says otherwise", HelpName = "FILE", Required = true, AllowMultipleArgumentsPerToken = false };
        var truths = new Option<string[]>("--truth-board") { Description = "The board whose simulator is the truth of the --board in the same place (repeatable, one per --board, the same VTA configuration; the variant takes its name): select sees the --board file, LANN learns the truth board's seconds", HelpName = "FILE", AllowMultipleArgumentsPerToken = false };
        var samples = new Option<int>("--samples") { Description = "Measurements LANN is trained on per variant (drawn evenly over the layers from the ground truth)", DefaultValueFactory = _ => 250 };
        var seed = new Option<int>("--seed") { Description = "Seed of the draws and the trainings", DefaultValueFactory = _ => 0 };
        var directory = new Option<string>("--groundtruth") { Description = "Where the ground-truth tables are kept (bench groundtruth's --out); missing ones are measured and saved there", HelpName = "DIR", DefaultValueFactory = _ => GroundTruthCommand.DefaultDirectory };
        var inferences = new Option<int>("--inferences") { Description = "Inferences between bitstream loads, as select's", DefaultValueFactory = _ => 1 };
        var candidates = SelectCommand.CandidatesOption();
        var json = new Option<bool>("--json") { Description = "End with one JSON line: {\"select\": {\"right\", \"layers\", …}}" };
        var command = new Command("select", """
            Variant selection judged against the truth: for each --board, every configuration of every layer measured on
            its truth board's simulator (the ground-truth tables; --truth-board, else the board itself), LANN trained on the
            --board file's program features of on at most --samples of them, `select` run on LANN's
            predictions alone (and once more with the training measurements as logs), and each layer's pick compared with
            the variant whose ground truth holds the fastest configuration; the chosen plan is costed on the truth.
            """) { network, only, boards, truths, samples, seed, directory, inferences, candidates, json };
        command.SetAction(parse =>
        {
            var layers = SelectCommand.Network(parse.GetValue(network)!, parse.GetValue(only));
            var count = parse.GetValue(samples);
            if (count < 2 * layers.Count || count > 250)
            {
                throw new CliException($"--samples must be from {2 * layers.Count} (two per layer) to 250, not {count}");
            }

            var runs = parse.GetValue(inferences);
            if (runs is < 1 or > 1_000_000)
            {
                throw new CliException($"--inferences must be from 1 to 1000000, not {runs}");
            }

            var seen = parse.GetValue(boards)!.Select(BoardOption.Load).ToList();
            var truthBoards = parse.GetValue(truths) is { Length: > 0 } t ? t.Select(BoardOption.Load).ToList() : seen;
            if (seen.Count < 2 || truthBoards.Count != seen.Count)
            {
                throw new CliException($"--board: give at least two variants to choose between, and --truth-board none or one per --board (got {seen.Count} and {truthBoards.Count})");
            }

            foreach (var (b, truth) in seen.Zip(truthBoards))
            {
                try
                {
                    TruthBoardTarget.RequireSameConfiguration(b, truth);
                }
                catch (GroundTruthException e)
                {
                    throw new CliException(e.Message);
                }
            }

            var variants = SelectCommand.Distinct([.. seen.Zip(truthBoards, (b, truth) => ReferenceEquals(b, truth) ? b : b with { Name = truth.Name })]);

            var dir = parse.GetValue(directory)!;
            Logs.RequireWritableDirectory(dir, "--groundtruth");
            var bench = variants.Zip(truthBoards, (b, truth) => new BenchmarkVariant(b, [.. layers.Select(w =>
            {
                try
                {
                    return GroundTruthTable.LoadOrMeasure(dir, w, truth, (done, total) =>
                    {
                        if (done == total)
                        {
                            context.Error.WriteLine($"hiltuner: [{w.Name} on {truth.Name}] {total} configurations measured");
                        }
                    });
                }
                catch (GroundTruthException e)
                {
                    throw new CliException(e.Message);
                }
            })])).ToList();

            var result = SelectionBenchmark.Run(layers, bench, count, parse.GetValue(seed), runs, SelectCommand.Candidates(parse, candidates));
            var names = variants.Select(b => b.Name).ToList();
            var table = new Table().AddColumns(["layer", .. names.Select(n => $"{n}: true best, ms"), "truly fastest", "picked (LANN)", "", "picked (logs + LANN)", ""]);
            table.Title = new TableTitle(Markup.Escape($"{parse.GetValue(network)}: the fastest variant by measuring every configuration on each truth board's simulator, and select's pick"));
            foreach (var l in result.Layers)
            {
                table.AddRow([
                    Markup.Escape(l.Layer.Name),
                    .. l.TrueBest.Select(s => double.IsNaN(s) ? "-" : (s * 1000).ToString("0.000", CultureInfo.InvariantCulture)),
                    Markup.Escape(names[l.TrueVariant]),
                    Markup.Escape(names[l.Picked]),
                    l.Right ? "right" : "wrong",
                    Markup.Escape(names[l.PickedWithLogs]),
                    l.RightWithLogs ? "right" : "wrong",
                ]);
            }

            context.Console.Write(table);
            var n = result.Layers.Count;
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"picked right: {result.Right} of {n} layers on LANN's predictions alone (trained on {string.Join(", ", result.TrainingRows)} measurements); {result.RightWithLogs} of {n} with those measurements as logs"));
            // How far LANN's predicted best is from the true best, per variant (the gap between variants it must resolve).
            var errors = variants.Select((b, v) => result.Layers.Select((l, i) => result.Selection.Figures[i][v] is { } f && !double.IsNaN(l.TrueBest[v]) ? (f.Seconds - l.TrueBest[v]) / l.TrueBest[v] : double.NaN)
                .Where(double.IsFinite).ToList()).ToList();
            context.Out.WriteLine(string.Join("; ", variants.Select((b, v) => string.Create(CultureInfo.InvariantCulture,
                $"{b.Name}: LANN's predicted best is {errors[v].Average():+0.0%;-0.0%} off the true best on average ({errors[v].Min():+0.0%;-0.0%} to {errors[v].Max():+0.0%;-0.0%})"))));
            var gaps = result.Layers.Select(l => l.TrueBest.Where(double.IsFinite).Order().ToList()).Where(t => t.Count > 1).Select(t => (t[1] - t[0]) / t[0]).ToList();
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"the fastest variant leads the next by {gaps.Min():0.0%} to {gaps.Max():0.0%} of its true best"));
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"plan on the truth: {result.PlanSecondsOnTruth * 1000:0.000} ms chosen on predictions ({result.Selection.Plan.Switches} switch(es)), {result.PlanWithLogsSecondsOnTruth * 1000:0.000} ms with logs, {result.TruePlan.Seconds * 1000:0.000} ms the truth's own plan ({result.TruePlan.Switches} switch(es))"));
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(HumanJson.Write(new JsonObject
                {
                    ["select"] = new JsonObject
                    {
                        ["layers"] = n,
                        ["right"] = result.Right,
                        ["right_with_logs"] = result.RightWithLogs,
                        ["variants"] = new JsonArray([.. names.Select(x => (JsonNode)x)]),
                        ["samples"] = new JsonArray([.. result.TrainingRows.Select(x => (JsonNode)x)]),
                        ["plan_seconds_on_truth"] = result.PlanSecondsOnTruth,
                        ["plan_with_logs_seconds_on_truth"] = result.PlanWithLogsSecondsOnTruth,
                        ["true_plan_seconds"] = result.TruePlan.Seconds,
                        ["per_layer"] = new JsonObject(result.Layers.Select((l, i) => KeyValuePair.Create(l.Layer.Name, (JsonNode?)new JsonObject
                        {
                            ["fastest"] = names[l.TrueVariant],
                            ["picked"] = names[l.Picked],
                            ["picked_with_logs"] = names[l.PickedWithLogs],
                            ["true_best_seconds"] = new JsonArray([.. l.TrueBest.Select(s => (JsonNode?)(double.IsNaN(s) ? null : JsonValue.Create(s)))]),
                            ["predicted_best_seconds"] = new JsonArray([.. result.Selection.Figures[i].Select(f => (JsonNode?)(f is null ? null : JsonValue.Create(f.Seconds)))]),
                        }))),
                    },
                }));
            }

            return 0;
        });
        return command;
    }
}
