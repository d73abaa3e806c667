using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Tuning.Calibration;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Reporting;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner log best | summary</c>: what a tuning log says, per workload.</summary>
internal static class LogCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("log", "Read tuning logs (AutoTVM v0.2 JSON lines)");

        var bestLog = new Argument<string>("LOG") { Description = "A tuning log" };
        var best = new Command("best", "The best configuration of each workload, as its log line") { bestLog };
        best.SetAction(parse =>
        {
            foreach (var summary in Summaries(context, parse.GetValue(bestLog)!))
            {
                if (summary.Best is { } record)
                {
                    context.Out.WriteLine(record.ToLogLine());
                }
                else
                {
                    context.Error.WriteLine($"hiltuner: {summary.Workload}: no successful trial in {summary.Trials}");
                }
            }

            return 0;
        });

        var summaryLog = new Argument<string>("LOG") { Description = "A tuning log" };
        var format = new Option<string>("--format")
        {
            Description = "text (a table and the total), csv (one row per workload, then the total), json (one object)",
            DefaultValueFactory = _ => "text",
        };
        format.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is var value && value is not ("text" or "csv" or "json"))
            {
                result.AddError($"--format: \"{value}\" is not one of text, csv, json");
            }
        });
        var summaryCommand = new Command("summary", """
            Per workload: trials, status counts, best GFLOPS, the best configuration's latency in ms, and the trial at which
            the best was found; then the network's total latency, the sum of the workloads' best
            """) { summaryLog, format };
        var modelBoard = new Option<string?>("--board")
        {
            Description = "Also the timing model's error per workload on this board file against the log's board-measured records (text and json)",
            HelpName = "FILE",
        };
        summaryCommand.Options.Add(modelBoard);
        summaryCommand.SetAction(parse =>
        {
            var log = parse.GetValue(summaryLog)!;
            var records = Logs.Read(context, log);
            var summaries = WorkloadSummary.Of(records);
            var board = parse.GetValue(modelBoard) is null ? null : BoardOption.Load(parse, modelBoard);
            var modelErrors = board is null ? null : CalibrationInput.Read([log], board);
            var recorded = CalibrationInput.RecordedModelErrorPerLayer(records);
            switch (parse.GetValue(format))
            {
                case "csv":
                    WriteCsv(context.Out, summaries);
                    break;
                case "json":
                    var json = Json(summaries);
                    if (modelErrors is not null)
                    {
                        json["model_error"] = ModelErrorJson(board!.Name, modelErrors.ModelErrorPerLayer(), modelErrors.Records.Count, modelErrors.Skipped.Count);
                    }

                    if (recorded.Count > 0)
                    {
                        json["model_error_recorded"] = ModelErrorJson(null, recorded, recorded.Sum(x => x.Records), null);
                    }

                    context.Out.WriteLine(HumanJson.Write(json));
                    break;
                default:
                    WriteText(context, summaries);
                    if (recorded.Count > 0)
                    {
                        WriteModelErrors(context.Out, "model error as recorded", recorded);
                        context.Out.WriteLine($"model error as recorded: {recorded.Sum(x => x.Records)} board record(s) carry the prediction of the board file they were measured with (model_seconds)");
                    }

                    if (modelErrors is not null)
                    {
                        WriteModelErrors(context.Out, $"model error on {board!.Name}", modelErrors.ModelErrorPerLayer());
                        context.Out.WriteLine($"model error on {board.Name}: {modelErrors.Records.Count} record(s) compared, {modelErrors.Skipped.Count} not (failed, from the simulator, or another configuration)");
                    }

                    break;
            }

            return 0;
        });

        var plotLog = new Argument<string>("LOG") { Description = "A tuning log" };
        var plotOut = new Option<string>("--out") { Description = "The PNG to write", HelpName = "FILE.png", Required = true };
        var logX = ConvergencePlot.LogXOption("--log-x");
        var plot = new Command("plot", "Best GFLOPS against trials, one curve per workload, marks at the trials that failed on the target: a PNG") { plotLog, plotOut, logX };
        plot.SetAction(parse =>
        {
            var (log, png) = (parse.GetValue(plotLog)!, parse.GetValue(plotOut)!);
            if (Path.GetFullPath(log) == Path.GetFullPath(png))
            {
                throw new CliException($"--out {png} is the log itself; give the plot another file");
            }

            ConvergencePlot.Save(png, ConvergencePlot.FromLog(Logs.Read(context, log)), Path.GetFileName(log), parse.GetValue(logX));
            context.Out.WriteLine($"plot: {png}");
            return 0;
        });

        command.Subcommands.Add(best);
        command.Subcommands.Add(summaryCommand);
        command.Subcommands.Add(plot);
        return command;
    }

    private static void WriteText(CliContext context, IReadOnlyList<WorkloadSummary> summaries)
    {
        var table = new Table().AddColumns("workload", "trials", "statuses", "best GFLOPS", "best ms", "found at trial", "best configuration");
        foreach (var s in summaries)
        {
            table.AddRow(
                Markup.Escape(s.Workload),
                s.Trials.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Statuses(s, ", ", " ")),
                s.BestGflops.ToString("F2", CultureInfo.InvariantCulture),
                s.BestLatencyMs is { } ms ? Milliseconds(ms) : "-",
                s.BestTrial.ToString(CultureInfo.InvariantCulture),
                s.Best is { } b ? $"#{b.Index}" : "-");
        }

        context.Console.Write(table);
        context.Out.WriteLine($"total: {Milliseconds(WorkloadSummary.TotalLatencyMs(summaries))} ms, the sum of each workload's best{Missing(summaries)}");
    }

    /// <summary>Per workload, the timing model's error against the log's board-measured records, each line led by <paramref name="label"/>.</summary>
    private static void WriteModelErrors(TextWriter output, string label, IReadOnlyList<(string Workload, int Records, RatioErrors Errors)> perLayer)
    {
        foreach (var (workload, records, e) in perLayer)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {workload}: {records} measured record(s), factor geometric mean {e.GeometricMean:F3}, worst {e.Worst:F3}"));
        }
    }

    /// <summary>The model's error per workload as JSON: on a board file (<paramref name="board"/>), or as the records carry it (null).</summary>
    private static JsonObject ModelErrorJson(string? board, IReadOnlyList<(string Workload, int Records, RatioErrors Errors)> perLayer, int compared, int? notCompared) => new()
    {
        ["board"] = board,
        ["compared"] = compared,
        ["not_compared"] = notCompared,
        ["workloads"] = new JsonArray([.. perLayer.Select(x => (JsonNode?)new JsonObject
        {
            ["workload"] = x.Workload,
            ["records"] = x.Records,
            ["geometric_mean_factor"] = x.Errors.GeometricMean,
            ["worst_factor"] = x.Errors.Worst,
        })]),
    };

    private static void WriteCsv(TextWriter output, IReadOnlyList<WorkloadSummary> summaries)
    {
        output.WriteLine("workload,trials,statuses,best_gflops,best_ms,found_at_trial,best_index");
        foreach (var s in summaries)
        {
            output.WriteLine(string.Join(',',
                Csv(s.Workload),
                s.Trials.ToString(CultureInfo.InvariantCulture),
                Csv(Statuses(s, ";", "=")),
                s.BestGflops.ToString("R", CultureInfo.InvariantCulture),
                s.BestLatencyMs is { } ms ? ms.ToString("R", CultureInfo.InvariantCulture) : string.Empty,
                s.Best is null ? string.Empty : s.BestTrial.ToString(CultureInfo.InvariantCulture),
                s.Best?.Index.ToString(CultureInfo.InvariantCulture) ?? string.Empty));
        }

        output.WriteLine(string.Join(',', "total", summaries.Sum(s => s.Trials).ToString(CultureInfo.InvariantCulture), string.Empty, string.Empty,
            WorkloadSummary.TotalLatencyMs(summaries).ToString("R", CultureInfo.InvariantCulture), string.Empty, string.Empty));
    }

    private static JsonObject Json(IReadOnlyList<WorkloadSummary> summaries) => new()
    {
        ["workloads"] = new JsonArray(summaries.Select(s => (JsonNode)new JsonObject
        {
            ["workload"] = s.Workload,
            ["trials"] = s.Trials,
            ["statuses"] = new JsonObject(s.Statuses.Select(x => KeyValuePair.Create(x.Key, (JsonNode?)x.Value))),
            ["best_gflops"] = s.BestGflops,
            ["best_ms"] = s.BestLatencyMs,
            ["found_at_trial"] = s.Best is null ? null : s.BestTrial,
            ["best_index"] = s.Best?.Index,
        }).ToArray()),
        ["total_ms"] = WorkloadSummary.TotalLatencyMs(summaries),
        ["without_best"] = new JsonArray(summaries.Where(s => s.Best is null).Select(s => (JsonNode)s.Workload).ToArray()),
    };

    private static string Statuses(WorkloadSummary s, string separator, string between) =>
        string.Join(separator, s.Statuses.Select(x => $"{x.Key}{between}{x.Value}"));

    private static string Milliseconds(double ms) => ms.ToString("F3", CultureInfo.InvariantCulture);

    private static string Missing(IReadOnlyList<WorkloadSummary> summaries) =>
        summaries.Where(s => s.Best is null).Select(s => s.Workload).ToList() is { Count: > 0 } missing
            ? $" ({string.Join(", ", missing)} left out: no successful trial)"
            : string.Empty;

    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    private static IReadOnlyList<WorkloadSummary> Summaries(CliContext context, string path) => WorkloadSummary.Of(Logs.Read(context, path));
}
