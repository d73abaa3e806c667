using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Tuning.Calibration;
using HilTuner.Vta.Config;

namespace HilTuner.Cli.Commands;

/// <summary>
/// <c>hiltuner calibrate --log LOG… --board FILE --out FILE [--free NAME…] [--leave-one-out]</c>: fits the board's
/// free timing parameters to measured records and writes the board file with the fitted values.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create(CliContext context)
    {
        var logs = new Option<string[]>("--log")
        {
            Description = "Logs of records measured on a board (AutoTVM v0.2: HilTuner's board logs, TopHub's cache)",
            HelpName = "LOG",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var board = new Option<string>("--board") { Description = "The board file to calibrate (its timing section is the starting point)", HelpName = "FILE", Required = true };
        var output = new Option<string>("--out") { Description = "The calibrated board file to write (never one of the inputs)", HelpName = "FILE", Required = true };
        var free = new Option<string[]>("--free")
        {
            Description = $"Timing parameters to fit (default: the board file's timing.free list); known: {TimingParameterTable.Names}",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = true,
        };
        var leaveOneOut = new Option<bool>("--leave-one-out")
        {
            Description = "Also fit once per layer on the other layers' records and predict the held-out layer (its error goes into the calibration section)",
        };
        var command = new Command("calibrate", """
            Fit the timing parameters a board file marks free to measured records: the model's time of a record is the
            simulator's run of its configuration on the board, compared with the record's mean cost in log space
            (ratio errors). Records of another target or VTA configuration, failed ones, and ones that do not compile or
            run are reported on stderr and skipped. Prints each record's measured time and the model's before and after,
            and writes the board file with the fitted values and a calibration section
            """) { logs, board, output, free, leaveOneOut };
        command.SetAction(parse => Run(context, parse.GetValue(logs)!, parse.GetValue(board)!, parse.GetValue(output)!,
            parse.GetValue(free) ?? [], parse.GetValue(leaveOneOut)));
        return command;
    }

    private static int Run(CliContext context, string[] logs, string boardFile, string outFile, string[] freeNames, bool leaveOneOut)
    {
        var target = Path.GetFullPath(outFile);
        foreach (var input in logs.Prepend(boardFile))
        {
            if (Path.GetFullPath(input) == target)
            {
                throw new CliException($"--out {outFile} is one of the inputs ({input}); write the calibrated board to another file");
            }
        }

        var board = Board.Load(boardFile);
        if (board.Assumption is not null)
        {
            throw new CliException($"--board {boardFile}: a bare vta_config.json has no timing section to calibrate; start from its TARGET's board file under boards/");
        }

        var names = freeNames.Length > 0 ? freeNames : board.FreeTiming;
        if (names.Count == 0)
        {
            throw new CliException($"{boardFile}: no free timing parameter: list them in the board file's timing.{TimingParameterTable.FreeKey} or give --free NAME…");
        }

        var parameters = names.Distinct().Select(n => TimingParameterTable.Find(n)
            ?? throw new CliException($"--free: \"{n}\" is not a timing parameter (known: {TimingParameterTable.Names})")).ToList();

        var data = CalibrationInput.Read(logs, board);
        foreach (var line in data.Skipped)
        {
            context.Error.WriteLine($"hiltuner: {line}");
        }

        if (data.Records.Count < parameters.Count)
        {
            throw new CliException($"{string.Join(", ", logs)}: {data.Records.Count} usable record(s) cannot fit {parameters.Count} free parameter(s)");
        }

        var fewestKept = data.Records.Count - data.Records.GroupBy(r => r.Workload.Name).Max(g => g.Count());
        if (leaveOneOut && fewestKept < parameters.Count)
        {
            throw new CliException($"--leave-one-out: leaving a layer out keeps as few as {fewestKept} record(s), too few to fit {parameters.Count} free parameter(s)");
        }

        context.Error.WriteLine($"hiltuner: {data.Records.Count} record(s) used, {data.Skipped.Count} skipped");
        var fit = new TimingFit(board, data.Records);
        var all = Enumerable.Range(0, data.Records.Count).ToList();
        var before = fit.Seconds(all, board.Timing);
        var result = fit.Fit(parameters, board.Timing, all);
        var measured = data.Records.Select(r => r.MeasuredSeconds).ToList();

        var o = context.Out;
        o.WriteLine(Invariant($"{"record",-24} {"measured ms",12} {"before ms",12} {"ratio",7} {"after ms",12} {"ratio",7}"));
        for (var i = 0; i < all.Count; i++)
        {
            o.WriteLine(Invariant($"{data.Records[i].Label,-24} {measured[i] * 1e3,12:F3} {before[i] * 1e3,12:F3} {before[i] / measured[i],7:F3} {result.Seconds[i] * 1e3,12:F3} {result.Seconds[i] / measured[i],7:F3}"));
        }

        var errorsBefore = RatioErrors.Of(before, measured);
        var errorsAfter = RatioErrors.Of(result.Seconds, measured);
        o.WriteLine(Invariant($"error factor (geometric mean, worst): before {errorsBefore.GeometricMean:F3}, {errorsBefore.Worst:F3}; after {errorsAfter.GeometricMean:F3}, {errorsAfter.Worst:F3}"));
        o.WriteLine($"solver: Levenberg-Marquardt, {result.Iterations} iterations ({result.Exit}), {fit.Runs} simulator runs");
        foreach (var p in parameters)
        {
            o.WriteLine($"{p.Name}: {p.Format(p.Get(board.Timing))} -> {p.Format(p.Get(result.Timing))} {p.Unit}");
        }

        RatioErrors? loo = null;
        if (leaveOneOut)
        {
            var held = fit.LeaveOneLayerOut(parameters, board.Timing);
            o.WriteLine(Invariant($"leave one layer out: {"held-out record",-24} {"measured ms",12} {"predicted ms",12} {"ratio",7}  fitted on the other layers"));
            foreach (var h in held)
            {
                var fitted = string.Join(", ", parameters.Select(p => $"{p.Name} {p.Format(p.Get(h.Timing))}"));
                o.WriteLine(Invariant($"leave one layer out: {h.Record.Label,-24} {h.Record.MeasuredSeconds * 1e3,12:F3} {h.PredictedSeconds * 1e3,12:F3} {h.Ratio,7:F3}  {fitted}"));
            }

            loo = RatioErrors.Of([.. held.Select(h => h.PredictedSeconds)], [.. held.Select(h => h.Record.MeasuredSeconds)]);
            o.WriteLine(Invariant($"leave one layer out: error factor geometric mean {loo.GeometricMean:F3}, worst {loo.Worst:F3}; Spearman rank correlation {loo.Spearman:F3}"));
        }

        var text = CalibratedBoardText(boardFile, parameters, result.Timing, new JsonObject
        {
            ["logs"] = new JsonArray([.. logs.Select(l => (JsonNode?)JsonValue.Create(l))]),
            ["records"] = data.Records.Count,
            ["skipped"] = data.Skipped.Count,
            ["fitted"] = new JsonArray([.. parameters.Select(p => (JsonNode?)JsonValue.Create(p.Name))]),
            ["started_from"] = new JsonObject([.. parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)Value(p, board.Timing)))]),
            ["solver"] = "MathNet.Numerics LevenbergMarquardtMinimizer, residuals log(model / measured)",
            ["error"] = Errors(errorsAfter),
            ["leave_one_layer_out"] = loo is null ? "not computed (run calibrate with --leave-one-out)" : Errors(loo),
        });
        Board.Parse(text, outFile);
        File.WriteAllText(outFile, text);
        o.WriteLine($"board: {outFile}");
        return 0;
    }

    /// <summary>The board file's own text with the fitted values in its timing section and the calibration section added.</summary>
    private static string CalibratedBoardText(string boardFile, IReadOnlyList<TimingParameter> parameters, TimingParameters fitted, JsonObject calibration)
    {
        var root = JsonNode.Parse(File.ReadAllText(boardFile), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        if (root["timing"] is not JsonObject timing)
        {
            timing = [];
            root["timing"] = timing;
        }

        foreach (var p in parameters)
        {
            timing[p.Name] = Value(p, fitted);
        }

        root[Board.CalibrationKey] = calibration;
        return root.ToJsonString(new JsonSerializerOptions(HumanJson.Options) { WriteIndented = true }) + "\n";
    }

    private static JsonNode Value(TimingParameter p, TimingParameters timing) =>
        p.IsWhole ? JsonValue.Create((long)Math.Round(p.Get(timing))) : JsonValue.Create(Math.Round(p.Get(timing), 6));

    private static JsonObject Errors(RatioErrors e) => new()
    {
        ["geometric_mean_factor"] = Math.Round(e.GeometricMean, 4),
        ["worst_factor"] = Math.Round(e.Worst, 4),
        ["spearman"] = double.IsNaN(e.Spearman) ? null : Math.Round(e.Spearman, 4),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
