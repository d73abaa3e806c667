using System.Globalization;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Session;
using ScottPlot;

namespace HilTuner.Cli.Commands;

/// <summary>
/// A PNG of best GFLOPS against trials, one curve per task (ScottPlot): curves of distinct colours, line styles and
/// widths (the first drawn widest, so curves that coincide still show), the legend beside the plot, and below zero one
/// row of marks per task at the trials that failed on the target; the trials axis linear or logarithmic.
/// </summary>
internal static class ConvergencePlot
{
    /// <summary>One task's curve: its best GFLOPS after each trial, and the 1-based trials that failed on the target.</summary>
    public sealed record Curve(string Workload, IReadOnlyList<double> Best, IReadOnlyList<int> FailedTrials);

    private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    /// <summary>The option that makes the trials axis logarithmic (<c>tune --plot-log-x</c>, <c>log plot --log-x</c>).</summary>
    public static System.CommandLine.Option<bool> LogXOption(string name) =>
        new(name) { Description = "Draw the plot's trials axis on a log scale (the first trials spread out)" };

    /// <summary>The curves of a finished run, with the failed trials its log records for each task's workload.</summary>
    public static void Save(string path, IReadOnlyList<TaskProgress> tasks, string title, IReadOnlyList<TuningRecord> log, bool logX) =>
        Save(path, tasks.Select(t => new Curve(t.Workload, t.BestCurve, FailedTrials(log.Where(r => r.Facts?.Workload == t.Workload).ToList()))).ToList(), title, logX);

    /// <summary>The curves a log holds, one per task in order of first appearance (<c>log plot</c>).</summary>
    public static IReadOnlyList<Curve> FromLog(IReadOnlyList<TuningRecord> log)
    {
        var curves = new List<Curve>();
        foreach (var group in log.GroupBy(r => r.TaskKey))
        {
            var records = group.Select((r, i) => (Record: r, Trial: r.Facts?.Trial is > 0 ? r.Facts.Trial : i + 1)).OrderBy(x => x.Trial).ToList();
            var operations = AutoTvmTask.WorkloadOf(records[0].Record.TaskName, records[0].Record.Args)?.Operations ?? 0;
            var best = new List<double>();
            foreach (var (record, _) in records)
            {
                best.Add(Math.Max(best.Count > 0 ? best[^1] : 0, record.Gflops(operations)));
            }

            var name = records[0].Record.Facts?.Workload ?? AutoTvmTask.WorkloadOf(records[0].Record.TaskName, records[0].Record.Args)?.Name ?? records[0].Record.TaskName;
            curves.Add(new Curve(name, best, FailedTrials(group.ToList())));
        }

        return curves;
    }

    public static void Save(string path, IReadOnlyList<Curve> curves, string title, bool logX)
    {
        var plot = Build(curves, title, logX);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        plot.SavePng(path, 1000, 600);
    }

    /// <summary>The plot of <paramref name="curves"/>, before it is rendered.</summary>
    internal static Plot Build(IReadOnlyList<Curve> curves, string title, bool logX)
    {
        var plot = new Plot();
        var shown = curves.Where(c => c.Best.Count > 0).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var top = shown.SelectMany(c => c.Best).DefaultIfEmpty(0).Max();
        top = top > 0 ? top * 1.05 : 1;
        var row = top * 0.03;
        var last = Math.Max(1, shown.Select(c => c.Best.Count).DefaultIfEmpty(1).Max());
        double X(int trial) => logX ? Math.Log10(trial) : trial;

        for (var i = 0; i < shown.Count; i++)
        {
            var curve = shown[i];
            var color = palette.GetColor(i);
            var xs = Enumerable.Range(1, curve.Best.Count).Select(X).ToArray();
            var line = plot.Add.ScatterLine(xs, curve.Best.ToArray(), color);
            line.LegendText = curve.Workload;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LinePattern = Patterns[i % Patterns.Length];
            line.LineWidth = shown.Count == 1 ? 2 : 1.5f + (3f * (shown.Count - 1 - i) / (shown.Count - 1));

            // Below zero, the task's own row: a mark at every trial that failed on the target.
            if (curve.FailedTrials.Count > 0)
            {
                var marks = plot.Add.ScatterPoints(
                    curve.FailedTrials.Select(X).ToArray(),
                    curve.FailedTrials.Select(_ => -(i + 1) * row).ToArray(),
                    color);
                marks.MarkerShape = MarkerShape.VerticalBar;
                marks.MarkerSize = 12;
                marks.MarkerLineWidth = 2.5f;
            }
        }

        plot.Title(title);
        plot.XLabel($"trials{(logX ? " (log scale)" : string.Empty)}; marks below 0: trials that failed on the target");
        plot.YLabel("best GFLOPS");
        plot.ShowLegend(Edge.Right);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => v < -row / 2 ? string.Empty : v.ToString("0.##", CultureInfo.InvariantCulture),
        };
        plot.Axes.SetLimitsY(-(shown.Count + 0.8) * row, top);
        if (logX)
        {
            plot.Axes.Bottom.TickGenerator = LogTicks(last);
            plot.Axes.SetLimitsX(Math.Log10(0.9), Math.Log10(last * 1.1));
        }
        else
        {
            plot.Axes.SetLimitsX(0, last * 1.01);
        }

        return plot;
    }

    /// <summary>The 1-based trials of <paramref name="records"/> (one task's) whose status failed on the target.</summary>
    private static List<int> FailedTrials(IReadOnlyList<TuningRecord> records) =>
        records.Select((r, i) => (r, Trial: r.Facts?.Trial is > 0 ? r.Facts.Trial : i + 1))
            .Where(x => x.r.Facts is not null && x.r.Status.FailedOnTarget())
            .Select(x => x.Trial)
            .ToList();

    /// <summary>Ticks of a log10 axis: 1, 2, 5, 10, 20, 50, … labelled, the other whole numbers of each decade minor.</summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(int last)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var decade = 1; decade <= last * 10; decade *= 10)
        {
            for (var m = 1; m <= 9; m++)
            {
                var value = m * decade;
                if (m is 1 or 2 or 5)
                {
                    ticks.AddMajor(Math.Log10(value), value.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    ticks.AddMinor(Math.Log10(value));
                }
            }
        }

        return ticks;
    }
}
