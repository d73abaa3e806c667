using System.Globalization;
using HilTuner.Compiler.Statuses;
using HilTuner.Tuning.Session;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary>
/// Live tuning progress: a table redrawn in place on a terminal (trials / budget, current and best GFLOPS,
/// failures by class, elapsed time per task), one plain line per trial otherwise.
/// </summary>
internal sealed class ProgressDisplay(CliContext context, IReadOnlyList<string> workloads, int budget)
{
    private readonly Dictionary<string, TaskProgress> _state = [];

    public void Run(Action<Action<TaskProgress>> work)
    {
        if (!context.IsTerminal)
        {
            work(p =>
            {
                if (!p.Finished)
                {
                    context.Out.WriteLine(Line(p));
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
