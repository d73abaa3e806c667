using HilTuner.Tuning.Benchmarks;
using ScottPlot;

namespace HilTuner.Cli.Commands;

/// <summary>
/// <c>bench tuners --plot</c>: a PNG with one panel per truth board, each tuner's best-so-far (fraction of the layer's
/// optimum on that board) against board measurements — the median over its runs (layers × seeds) and the interquartile
/// band (ScottPlot multiplot, panels stacked).
/// </summary>
internal static class BenchmarkPlot
{
    public const int PanelHeight = 360;

    public static void Save(string path, TruthBenchmarkResult result)
    {
        var multiplot = Build(result);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        multiplot.SavePng(path, 1000, PanelHeight * result.Boards.Count);
    }

    internal static Multiplot Build(TruthBenchmarkResult result)
    {
        var multiplot = new Multiplot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var board in result.Boards)
        {
            // A new multiplot holds one empty plot: the first board's panel.
            var plot = board == result.Boards[0] && multiplot.Count() > 0 ? multiplot.GetPlot(0) : multiplot.AddPlot();
            for (var i = 0; i < result.Options.Tuners.Count; i++)
            {
                var tuner = result.Options.Tuners[i];
                var (median, low, high) = board.BestSoFar(tuner);
                if (median.Length == 0)
                {
                    continue;
                }

                var color = palette.GetColor(i);
                var xs = Enumerable.Range(1, median.Length).Select(x => (double)x).ToArray();
                var band = plot.Add.FillY(xs, low, high);
                band.FillStyle.Color = color.WithAlpha(0.2);
                band.LineWidth = 0;
                var line = plot.Add.ScatterLine(xs, median, color);
                line.LegendText = tuner;
                line.LineWidth = 2;
            }

            plot.Title(board.TruthIsNominal ? $"{board.Board.Name} (the nominal board as truth)" : $"truth board {board.Board.Name} (tuners know {board.Nominal.Name})");
            plot.XLabel("board measurements");
            plot.YLabel("best so far / optimum");
            plot.Axes.SetLimitsY(0, 1.05);
            plot.ShowLegend(Edge.Right);
        }

        return multiplot;
    }
}
