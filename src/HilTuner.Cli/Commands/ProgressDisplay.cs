using System.Globalization;
using HilTuner.Compiler.Statuses;
using HilTuner.Tuning.Session;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary>
/// Live tuning progress: a table redrawn in place on a terminal (trials / budget, current and best GFLOPS,
/// failures by class, elapsed time per task); otherwise plain lines — one every <see cref="CliContext.ProgressInterval"/>
/// and one at each task's end, and for a resumed task one line saying how many trials came from the log (those are
/// not printed as trials: they were not measured again).
/// </summary>
internal sealed class ProgressDisplay(CliContext context, IReadOnlyList<string> workloads, int budget)
{
    private readonly Dictionary<string, TaskProgress> _state = [];

    public void Run(Action<Action<TaskProgress>> work)
    {
        if (!context.IsTerminal)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var lastLine = TimeSpan.Zero;
            var resumed = new HashSet<string>(StringComparer.Ordinal);
            work(p =>
            {
                if (p.Resumed > 0 && resumed.Add(p.Workload))
                {
                    context.Out.WriteLine($"[{p.Workload}] {p.Resumed} trials resumed from the log (not measured again)");
                }

                // The log's records are counted first: a trial beyond them is a new one.
                if (p.Finished || (p.Trials > p.Resumed && clock.Elapsed - lastLine >= context.ProgressInterval))
                {
                    lastLine = clock.Elapsed;
                    context.Out.WriteLine(p.Finished ? Line(p) + "  done" : Line(p));
                }
            });
            return;
        }

        var table = new Table().AddColumns("task", "trials", "current GFLOPS", "best GFLOPS", "failures", "elapsed");
        context.Console.Live(table).Start(live =>
        {
            Redraw(table);
            live.Refresh();
            var last = DateTime.MinValue;
            work(p =>
            {
                _state[p.Workload] = p;
                if (p.Finished || DateTime.UtcNow - last > TimeSpan.FromMilliseconds(150))
                {
                    last = DateTime.UtcNow;
                    Redraw(table);
                    live.Refresh();
                }
            });
            Redraw(table);
            live.Refresh();
        });
    }

    private void Redraw(Table table)
    {
        table.Rows.Clear();
        foreach (var w in workloads)
        {
            if (_state.TryGetValue(w, out var p))
            {
                table.AddRow(w, $"{p.Trials}/{p.Budget}", F(p.CurrentGflops), F(p.BestGflops), Markup.Escape(Failures(p)), p.Elapsed.ToString(@"m\:ss", CultureInfo.InvariantCulture));
            }
            else
            {
                table.AddRow(w, $"0/{budget}", "-", "-", "-", "-");
            }
        }
    }

    private static string Line(TaskProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"[{p.Workload}] {p.Trials}/{p.Budget}  current {p.CurrentGflops:F2} GFLOPS  best {p.BestGflops:F2} (trial {p.BestTrial})  failures: {Failures(p)}  {p.Elapsed:m\\:ss}");

    private static string Failures(TaskProgress p)
    {
        var failures = p.Statuses.Where(s => s.Key != MeasureStatus.Ok.JsonName()).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}").ToList();
        return failures.Count == 0 ? "none" : string.Join(", ", failures);
    }

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
