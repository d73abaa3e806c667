using HilTuner.Tuning.Session;

namespace HilTuner.Cli.Commands;

/// <summary>A PNG of best GFLOPS against trials, one curve per task (ScottPlot).</summary>
internal static class ConvergencePlot
{
    public static void Save(string path, IReadOnlyList<TaskProgress> tasks, string title)
    {
        var plot = new ScottPlot.Plot();
        foreach (var task in tasks.Where(t => t.BestCurve.Count > 0))
        {
            var xs = Enumerable.Range(1, task.BestCurve.Count).Select(i => (double)i).ToArray();
            var line = plot.Add.ScatterLine(xs, task.BestCurve.ToArray());
            line.LegendText = task.Workload;
        }

        plot.Title(title);
        plot.XLabel("trials");
        plot.YLabel("best GFLOPS");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        var top = tasks.SelectMany(t => t.BestCurve).DefaultIfEmpty(0).Max();
        plot.Axes.SetLimitsY(0, top > 0 ? top * 1.05 : 1);
        plot.Axes.SetLimitsX(0, Math.Max(1, tasks.Select(t => t.BestCurve.Count).DefaultIfEmpty(1).Max()));
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        plot.SavePng(path, 900, 600);
    }
}
