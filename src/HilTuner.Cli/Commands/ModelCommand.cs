using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Performance;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Validity;
using HilTuner.Validity.Performance;
using HilTuner.Vta.Config;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner model train-validity | train-perf | predict | info</c>: the validity model (ModelV) and the performance model (LANN) as files.</summary>
internal static class ModelCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("model", "The validity and performance models: train them from tuning logs, ask them about a configuration, read a model file");
        command.Subcommands.Add(Train(context));
        command.Subcommands.Add(TrainPerformance(context));
        command.Subcommands.Add(Predict(context));
        command.Subcommands.Add(Info(context));
        return command;
    }

    private static Command Train(CliContext context)
    {
        var logs = new Option<string[]>("--log") { Description = "A tuning log (repeatable)", HelpName = "LOG", Required = true, AllowMultipleArgumentsPerToken = false };
        var board = BoardOption.Create();
        var output = new Option<string>("--out") { Description = "The model file to write (ONNX; the ML.NET form goes beside it)", HelpName = "FILE.onnx", Required = true };
        var maxFalseSkip = new Option<double>("--max-false-skip") { Description = "Share of good configurations the threshold may skip (cross-validated)", DefaultValueFactory = _ => 0.01 };
        var seed = new Option<int>("--seed") { Description = "Seed of the training", DefaultValueFactory = _ => 0 };
        var trees = new Option<int>("--trees") { Description = "Boosted trees per head", DefaultValueFactory = _ => new ValidityTrainingOptions().Trees };
        var leaves = new Option<int>("--leaves") { Description = "Leaves per tree", DefaultValueFactory = _ => new ValidityTrainingOptions().Leaves };
        var command = new Command("train-validity", """
            Train ModelV — gradient-boosted trees with a Platt calibration predicting the probability that a compiled
            configuration fails on the board — from the records of tuning logs measured on the board's VTA
            configuration, choose its threshold by cross-validation, and write it as ONNX.
            """) { logs, board, output, maxFalseSkip, seed, trees, leaves };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var skip = parse.GetValue(maxFalseSkip);
            if (!(skip is >= 0 and < 1))
            {
                throw new CliException($"--max-false-skip must be in [0, 1), not {skip}");
            }

            if (parse.GetValue(trees) < 1 || parse.GetValue(leaves) < 2)
            {
                throw new CliException($"--trees must be at least 1 and --leaves at least 2, not {parse.GetValue(trees)} and {parse.GetValue(leaves)}");
            }

            // Where the model goes is checked before anything is read or trained: never a directory, never one of the inputs.
            var path = parse.GetValue(output)!;
            (string, string?)[] inputs = [.. parse.GetValue(logs)!.Select(l => ("--log", (string?)l)), ("--board", parse.GetValue(board))];
            OutputPaths.RequireNotAnInput("--out", path, inputs);
            OutputPaths.RequireNotAnInput("--out", ValidityModelFormat.MlNetPath(path), inputs);
            Logs.RequireWritable(path, "--out", "the model", "validity.onnx");

            var records = parse.GetValue(logs)!.SelectMany(log => Logs.Read(context, log)).ToList();
            var examples = ValidityData.FromRecords(records, b, out var leftOut);
            TrainedValidityModel model;
            try
            {
                model = ValidityTrainer.Train(examples, b, new ValidityTrainingOptions { MaxFalseSkip = skip, Seed = parse.GetValue(seed), Trees = parse.GetValue(trees), Leaves = parse.GetValue(leaves) });
            }
            catch (ValidityModelException e)
            {
                // The error alone, on one line; what was left out is part of it, as it may be the reason.
                var left = leftOut.Count == 0 ? string.Empty
                    : $" ({string.Join("; ", leftOut.OrderByDescending(p => p.Value).Select(p => $"{p.Value} record(s) left out: {p.Key}"))})";
                throw new CliException(e.Message + left);
            }

            foreach (var (reason, count) in leftOut.OrderByDescending(p => p.Value))
            {
                context.Error.WriteLine($"hiltuner: {count} record(s) left out: {reason}");
            }

            model.Save(path);
            var v = model.Validation;
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {examples.Count} measured configurations ({examples.Count(e => e.Failed)} failed {Where(examples)}), heads {string.Join(", ", model.Model.Heads.Select(h => h.Name))}"));
            context.Out.WriteLine(v.FailuresCaught is { } caught
                ? string.Create(CultureInfo.InvariantCulture, $"threshold {v.Threshold:F3}: on held-out folds it catches {caught:P1} of the failures and skips {v.GoodSkipped:P1} of the good configurations ({v.Folds}-fold cross-validation)")
                : string.Create(CultureInfo.InvariantCulture, $"threshold {v.Threshold:F3} (too few examples to cross-validate)"));
            return 0;
        });
        return command;
    }

    /// <summary>Where the examples were measured, in words: "on the board", "on the simulator", or both.</summary>
    internal static string Where(IReadOnlyList<MeasuredProgram> examples) =>
        string.Join(" and ", examples.Select(e => e.Target).Distinct().Order(StringComparer.Ordinal).Select(target => target switch
        {
            "board" => "on the board",
            "sim" => "on the simulator",
            "replay" => "on the simulator (replayed ground truth)",
            null or "" => "on an unnamed target",
            _ => $"on {target}",
        }).Distinct());

    private static Command Predict(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "A validity or performance model file", HelpName = "FILE.onnx", Required = true };
        var board = BoardOption.Create();
        var workload = new Option<string>("--workload") { Description = "The workload", HelpName = "W", Required = true };
        var index = new Option<long?>("--index") { Description = "The configuration's AutoTVM index" };
        var knobs = new Option<string?>("--knobs") { Description = "The configuration as knob values or an AutoTVM entity list" };
        var engine = new Option<string>("--engine") { Description = "ort (OnnxRuntime, the ONNX file) or mlnet (the ML.NET model beside it)", DefaultValueFactory = _ => "ort" };
        var command = new Command("predict", "By a validity model, the probability that a configuration fails on the board; by a performance model, its predicted seconds: one JSON object")
        {
            model, board, workload, index, knobs, engine,
        };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            Workload w;
            try
            {
                w = WorkloadRegistry.Resolve(parse.GetValue(workload)!);
                w.RequirePackable(b.Vta);
            }
            catch (Exception e) when (e is WorkloadException or ArgumentException)
            {
                throw new CliException(e.Message);
            }

            var configuration = Configuration(Templates.For(w, b.Vta), parse.GetValue(index), parse.GetValue(knobs));
            var path = parse.GetValue(model)!;
            if (IsPerformanceModel(path))
            {
                context.Out.WriteLine(HumanJson.Write(PredictSeconds(path, b, w, configuration)));
                return 0;
            }

            var engineName = parse.GetValue(engine)!;
            if (engineName is not ("ort" or "mlnet"))
            {
                throw new CliException($"unknown engine \"{engineName}\" (known: ort, mlnet)");
            }

            try
            {
                using var predictor = ValidityPredictor.Open(path, b);
                var result = new JsonObject
                {
                    ["workload"] = w.Name,
                    ["index"] = configuration.Index,
                    ["engine"] = engineName,
                    ["threshold"] = predictor.Threshold,
                };
                var build = VtaCompiler.Compile(w, configuration, b);
                if (build.Program is not { } program)
                {
                    result["status"] = MeasureStatus.CompileError.JsonName();
                    result["error"] = build.Error!.Message;
                }
                else
                {
                    // Every head as OnnxRuntime computes it; with mlnet, p_fail is ML.NET's (its form beside the ONNX file
                    // holds that head alone, so the class heads are the ONNX file's under either engine).
                    var heads = predictor.HeadProbabilities(program, b);
                    var p = engineName == "ort"
                        ? heads[ValidityModelFormat.FailHead]
                        : MlNetValidityModel.Load(path).FailureProbability(ProgramFeatures.Of(program, b));
                    result["status"] = "compiled";
                    result["p_fail"] = p;
                    result["verdict"] = p >= predictor.Threshold ? "skip" : "measure";
                    result["heads"] = new JsonObject(heads.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)(h.Key == ValidityModelFormat.FailHead ? p : h.Value))));
                }

                context.Out.WriteLine(HumanJson.Write(result));
            }
            catch (ValidityModelException e)
            {
                throw new CliException(e.Message);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Whether <paramref name="path"/> is a performance model (a file that cannot be read is left to the validity path's message).</summary>
    private static bool IsPerformanceModel(string path)
    {
        try
        {
            return PerformancePredictor.IsPerformanceModel(ValidityPredictor.ReadInfo(path));
        }
        catch (ValidityModelException)
        {
            return false;
        }
    }

    private static JsonObject PredictSeconds(string path, Board board, Workload workload, Configuration configuration)
    {
        try
        {
            using var predictor = PerformancePredictor.Open(path, board);
            var result = new JsonObject
            {
                ["workload"] = workload.Name,
                ["index"] = configuration.Index,
                ["predictor"] = predictor.Info.GetString(PerformanceModelFormat.PredictorKey),
            };
            var build = VtaCompiler.Compile(workload, configuration, board);
            if (build.Program is not { } program)
            {
                result["status"] = MeasureStatus.CompileError.JsonName();
                result["error"] = build.Error!.Message;
            }
            else
            {
                result["status"] = "compiled";
                result["seconds"] = predictor.Seconds(program, board);
                result["estimate_seconds"] = program.Features["est_seconds"];
            }

            return result;
        }
        catch (PerformanceModelException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static Command TrainPerformance(CliContext context)
    {
        var logs = new Option<string[]>("--log") { Description = "A tuning log (repeatable)", HelpName = "LOG", Required = true, AllowMultipleArgumentsPerToken = false };
        var board = BoardOption.Create();
        var output = new Option<string>("--out") { Description = "The model file to write (ONNX)", HelpName = "FILE.onnx", Required = true };
        var samples = new Option<int>("--samples") { Description = "Measured configurations to train on (at most; the latest records first)", DefaultValueFactory = _ => 250 };
        var seed = new Option<int>("--seed") { Description = "Seed of the training's random starts", DefaultValueFactory = _ => 0 };
        var command = new Command("train-perf", """
            Train LANN — a network of one hidden ReLU layer (fewer than 75 parameters) over the configuration's knobs
            augmented with the program's complexity (multiply-accumulates, DMA bytes per stream, instructions, micro-ops,
            each module's cycles by the timing model), predicting the log of the measured seconds — from the records of
            tuning logs that ran on the board's VTA configuration, and write it as ONNX.
            """) { logs, board, output, samples, seed };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var count = parse.GetValue(samples);
            if (count is < 2 or > 250)
            {
                throw new CliException($"--samples must be from 2 to 250, not {count}");
            }

            var path = parse.GetValue(output)!;
            (string, string?)[] inputs = [.. parse.GetValue(logs)!.Select(l => ("--log", (string?)l)), ("--board", parse.GetValue(board))];
            OutputPaths.RequireNotAnInput("--out", path, inputs);
            Logs.RequireWritable(path, "--out", "the model", "lann.onnx");

            var records = parse.GetValue(logs)!.SelectMany(log => Logs.Read(context, log)).ToList();
            var measured = ValidityData.FromRecords(records, b, out var leftOut);
            var timed = PerformanceNetworks.Timed(measured);
            var training = timed.TakeLast(count).ToList();
            Onnx.MlpRegressor network;
            try
            {
                network = PerformanceNetworks.Train(PerformanceNetworks.Lann, training, b, new NetworkTrainingOptions { Seed = parse.GetValue(seed) });
            }
            catch (PerformanceModelException e)
            {
                throw new CliException($"{e.Message} (from {records.Count} record(s) of {string.Join(", ", parse.GetValue(logs)!)}; {measured.Count - timed.Count} failed, {leftOut.Values.Sum()} left out)");
            }

            foreach (var (reason, n) in leftOut.OrderByDescending(p => p.Value))
            {
                context.Error.WriteLine($"hiltuner: {n} record(s) left out: {reason}");
            }

            network.Save(path);
            var trainingError = training.Average(m => Math.Abs(network.Predict(PerformanceNetworks.Lann.Select(m.Features)) - m.Seconds) / m.Seconds);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: lann, {network.Parameters} parameters ({network.FeatureCount} inputs, {network.HiddenUnits} hidden units), trained on {training.Count} measured configurations {Where(training)}; training MAPE {trainingError:P1}"));
            return 0;
        });
        return command;
    }

    private static Command Info(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A validity model file (ONNX)" };
        var command = new Command("info", "What a validity model file says about itself: configuration, threshold, training data, heads, inputs") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            Onnx.OnnxModelInfo info;
            try
            {
                info = ValidityPredictor.ReadInfo(path);
            }
            catch (ValidityModelException e)
            {
                throw new CliException(e.Message);
            }

            var table = new Table().AddColumns("property", "value");
            table.AddRow("file", Markup.Escape(path));
            foreach (var (key, value) in info.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(value));
            }

            table.AddRow("heads", Markup.Escape(string.Join(", ", info.HeadNames)));
            table.AddRow("inputs", Markup.Escape($"{info.FeatureCount}: {string.Join(", ", info.FeatureNames.Take(6))}, …"));
            table.AddRow("format", Markup.Escape($"ONNX IR {info.IrVersion}, opsets {string.Join(", ", info.Opsets.Select(o => $"{(o.Key.Length == 0 ? "ai.onnx" : o.Key)} {o.Value}"))}; producer {info.ProducerName}"));
            context.Console.Write(table);
            return 0;
        });
        return command;
    }

    private static Configuration Configuration(ConfigSpace space, long? index, string? knobs)
    {
        if ((index is null) == (knobs is null))
        {
            throw new CliException("give --index N or --knobs JSON");
        }

        if (index is { } i)
        {
            if (i < 0 || i >= space.Size)
            {
                throw new CliException($"--index {i} is outside the space of {space.Size} configurations");
            }

            return space.Get(i);
        }

        try
        {
            return space.FromKnobs(knobs!, complete: true);
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message);
        }
    }
}
