using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Performance;
using HilTuner.Vta.Config;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner bench predictors</c>: LANN against the plain networks, FastTree and the timing model's estimate, on held-out measurements.</summary>
internal static class BenchPredictorsCommand
{
    public static Command Create(CliContext context)
    {
        var board = BoardOption.Create();
        var truth = new Option<string[]>("--truth-board")
        {
            Description = "Board files of the same VTA configuration whose simulators give the measured seconds (several after one flag, as bench tuners takes them, or the flag repeated)",
            HelpName = "FILE",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var perLayer = new Option<int>("--per-layer") { Description = "Configurations measured per ResNet-18 layer (all but the largest training set are held out)", DefaultValueFactory = _ => 60 };
        var seed = new Option<int>("--seed") { Description = "Seed of the draws and the trainings", DefaultValueFactory = _ => 1 };
        var noise = new Option<double>("--noise") { Description = "Relative measurement noise added to the truth (seeded; 0: none)", DefaultValueFactory = _ => 0 };
        var sizes = new Option<int[]>("--sizes") { Description = "Training-set sizes (the largest is the JSON's)", HelpName = "N", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [25, 50, 100, 250] };
        var json = new Option<bool>("--json") { Description = "End with one JSON line: {\"predictors\": {NAME: {\"mape\", \"parameters\", \"samples\"}}} at the largest size" };
        var command = new Command("predictors", """
            Performance predictors side by side: configurations of every ResNet-18 layer drawn at random, their program
            features from --board's compiler and timing model, their seconds from the simulator of each truth board;
            lann, ffnn (the same network on the layer's shape and knobs, no complexity inputs, the same budget),
            ffnn-large, fasttree (ML.NET FastTree regression on every program feature) and estimate (the timing model of
            --board) trained on 25, 50, 100 and 250 of them and scored by MAPE on the rest, overall and per layer.
            """) { board, truth, perLayer, seed, noise, sizes, json };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            int[] trainingSizes = [.. parse.GetValue(sizes)!.Order()];
            if (trainingSizes.Length == 0 || trainingSizes[0] < 2 || trainingSizes[^1] > 250)
            {
                throw new CliException($"--sizes must be from 2 to 250, not {string.Join(" ", trainingSizes)}");
            }

            var count = parse.GetValue(perLayer);
            if (count * WorkloadRegistry.ResNet18.Count <= trainingSizes[^1] + 10)
            {
                throw new CliException($"--per-layer {count}: at least {(trainingSizes[^1] + 11 + WorkloadRegistry.ResNet18.Count - 1) / WorkloadRegistry.ResNet18.Count} are needed to train on {trainingSizes[^1]} and hold some out");
            }

            var amount = parse.GetValue(noise);
            if (!(amount is >= 0 and < 0.5))
            {
                throw new CliException($"--noise must be in [0, 0.5), not {amount}");
            }

            var truths = parse.GetValue(truth)!.Select(BoardOption.Load).ToList();
            foreach (var t in truths.Where(t => t.Vta.ConfigString != b.Vta.ConfigString))
            {
                throw new CliException($"--truth-board {t.Source}: VTA configuration {t.Vta.ConfigString}, not {b.Vta.ConfigString} as --board {b.Source}");
            }

            var summary = new Dictionary<string, List<(string Board, PredictorScore Score)>>();
            foreach (var t in truths)
            {
                var samples = PredictorBenchmark.Measure(WorkloadRegistry.ResNet18, b, t, count, parse.GetValue(seed), amount);
                if (samples.Count <= trainingSizes[^1])
                {
                    throw new CliException($"--truth-board {t.Source}: only {samples.Count} configurations ran to the end; raise --per-layer");
                }

                var scores = PredictorBenchmark.Run(samples, b, trainingSizes, parse.GetValue(seed));
                var heldOut = scores[0].HeldOut;
                var table = new Table().AddColumns(["predictor", "parameters", .. trainingSizes.Select(n => $"MAPE, {n} samples")]);
                table.Title = new TableTitle(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"features from {b.Name}, seconds from the simulator of truth board {t.Name}{(amount > 0 ? $" with {amount:P0} noise" : string.Empty)}: {samples.Count} configurations, {heldOut} held out")));
                foreach (var name in PredictorBenchmark.Names)
                {
                    var mine = scores.Where(s => s.Predictor == name).ToList();
                    table.AddRow([name, F(mine[^1].Parameters, "N0"), .. mine.Select(s => F(s.Mape * 100, "F1") + "%")]);
                    summary.TryAdd(name, []);
                    summary[name].Add((t.Name, mine[^1]));
                }

                context.Console.Write(table);
                var layers = new Table().AddColumns(["layer", .. PredictorBenchmark.Names.Select(n => $"{n} MAPE")]);
                layers.Title = new TableTitle(Markup.Escape($"per layer, trained on {trainingSizes[^1]} samples (truth board {t.Name})"));
                var at250 = scores.Where(s => s.Samples == trainingSizes[^1]).ToList();
                foreach (var layer in at250[0].MapePerLayer.Keys)
                {
                    layers.AddRow([layer, .. at250.Select(s => F(s.MapePerLayer[layer] * 100, "F1") + "%")]);
                }

                context.Console.Write(layers);
            }

            if (parse.GetValue(json))
            {
                var predictors = new JsonObject();
                foreach (var (name, perBoard) in summary)
                {
                    predictors[name] = new JsonObject
                    {
                        ["mape"] = perBoard.Average(p => p.Score.Mape),
                        ["parameters"] = perBoard[0].Score.Parameters,
                        ["samples"] = trainingSizes[^1],
                        ["boards"] = new JsonObject(perBoard.Select(p => KeyValuePair.Create(p.Board, (JsonNode?)p.Score.Mape))),
                        ["per_layer"] = new JsonObject(perBoard[0].Score.MapePerLayer.Keys.Select(l =>
                            KeyValuePair.Create(l, (JsonNode?)perBoard.Average(p => p.Score.MapePerLayer[l])))),
                    };
                }

                context.Out.WriteLine(HumanJson.Write(new JsonObject { ["predictors"] = predictors }));
            }

            return 0;
        });
        return command;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
