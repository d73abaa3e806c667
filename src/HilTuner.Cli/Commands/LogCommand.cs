using System.CommandLine;
using System.Globalization;
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
                    context.Out.WriteLine(RecordJson.Write(record));
                }
                else
                {
                    context.Error.WriteLine($"hiltuner: {summary.Workload}: no successful trial in {summary.Trials}");
                }
            }

            return 0;
        });

        var summaryLog = new Argument<string>("LOG") { Description = "A tuning log" };
        var summaryCommand = new Command("summary", "Per workload: trials, status counts, best GFLOPS, and the trial at which the best was found") { summaryLog };
        summaryCommand.SetAction(parse =>
        {
            var table = new Table().AddColumns("workload", "trials", "statuses", "best GFLOPS", "found at trial", "best configuration");
            foreach (var s in Summaries(context, parse.GetValue(summaryLog)!))
            {
                table.AddRow(
                    Markup.Escape(s.Workload),
                    s.Trials.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(", ", s.Statuses.Select(x => $"{x.Key} {x.Value}"))),
                    s.BestGflops.ToString("F2", CultureInfo.InvariantCulture),
                    s.BestTrial.ToString(CultureInfo.InvariantCulture),
                    s.Best is { } b ? $"#{b.Index}" : "-");
            }

            context.Console.Write(table);
            return 0;
        });

        command.Subcommands.Add(best);
        command.Subcommands.Add(summaryCommand);
        return command;
    }

    private static IReadOnlyList<WorkloadSummary> Summaries(CliContext context, string path) => WorkloadSummary.Of(Logs.Read(context, path));
}
