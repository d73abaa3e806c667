using System.Globalization;
using System.Text.Json;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class LogCommandTests
{
    /// <summary>
    /// <c>log summary</c> gives each workload's best latency in ms (its best record's mean cost) and the network's total
    /// (their sum), as a table, CSV or JSON, all three saying the same.
    /// </summary>
    [TestMethod]
    public void SummaryGivesLatencyPerWorkloadAndTheTotalInEveryFormat()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-log-summary-");
        try
        {
            var log = Path.Combine(dir.FullName, "two.log");
            var (tuneExit, _, tuneError) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--workload", "resnet18.C11", "--tuner", "grid",
                "--trials", "12", "--log", log);
            Assert.AreEqual(0, tuneExit, tuneError);
            var bestMs = Cli.Lines(Cli.Run(string.Empty, "log", "best", log).Out)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(r => r.GetProperty("hiltuner").GetProperty("workload").GetString()!, r => r.GetProperty("result")[0].EnumerateArray().Average(c => c.GetDouble()) * 1e3);
            Assert.HasCount(2, bestMs);

            var (exit, json, error) = Cli.Run(string.Empty, "log", "summary", log, "--format", "json");
            Assert.AreEqual(0, exit, error);
            var root = JsonDocument.Parse(json).RootElement;
            var workloads = root.GetProperty("workloads").EnumerateArray().ToArray();
            Assert.HasCount(2, workloads);
            foreach (var w in workloads)
            {
                Assert.AreEqual(bestMs[w.GetProperty("workload").GetString()!], w.GetProperty("best_ms").GetDouble(), 1e-12);
                Assert.AreEqual(12, w.GetProperty("trials").GetInt32());
            }

            var total = root.GetProperty("total_ms").GetDouble();
            Assert.AreEqual(bestMs.Values.Sum(), total, 1e-12);
            Assert.AreEqual(0, root.GetProperty("without_best").GetArrayLength());

            var (csvExit, csv, csvError) = Cli.Run(string.Empty, "log", "summary", log, "--format", "csv");
            Assert.AreEqual(0, csvExit, csvError);
            var rows = Cli.Lines(csv);
            Assert.HasCount(4, rows);
            Assert.AreEqual("workload,trials,statuses,best_gflops,best_ms,found_at_trial,best_index", rows[0]);
            var c11 = rows.Single(r => r.StartsWith("resnet18.C11,", StringComparison.Ordinal)).Split(',');
            Assert.AreEqual(bestMs["resnet18.C11"], double.Parse(c11[4], CultureInfo.InvariantCulture), 1e-12);
            var totalRow = rows[^1].Split(',');
            Assert.AreEqual(("total", "24"), (totalRow[0], totalRow[1]));
            Assert.AreEqual(total, double.Parse(totalRow[4], CultureInfo.InvariantCulture), 1e-12);

            var (textExit, text, textError) = Cli.Run(string.Empty, "log", "summary", log);
            Assert.AreEqual(0, textExit, textError);
            StringAssert.Contains(text, "best ms");
            StringAssert.Contains(text, bestMs["dense.512"].ToString("F3", CultureInfo.InvariantCulture));
            StringAssert.Contains(text, $"total: {total.ToString("F3", CultureInfo.InvariantCulture)} ms, the sum of each workload's best");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>A workload without a successful trial is left out of the total, and the total says so.</summary>
    [TestMethod]
    public void TheTotalNamesTheWorkloadsWithoutABest()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-log-summary-");
        try
        {
            var log = Path.Combine(dir.FullName, "failed.log");
            var (tuneExit, _, tuneError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--tuner", "random", "--seed", "1", "--trials", "1", "--log", log);
            Assert.AreEqual(0, tuneExit, tuneError);
            var (exit, text, error) = Cli.Run(string.Empty, "log", "summary", log);
            Assert.AreEqual(0, exit, error);
            StringAssert.Contains(text, "total: 0.000 ms, the sum of each workload's best (resnet18.C11 left out: no successful trial)");
            var root = JsonDocument.Parse(Cli.Run(string.Empty, "log", "summary", log, "--format", "json").Out).RootElement;
            Assert.AreEqual("resnet18.C11", root.GetProperty("without_best")[0].GetString());
            Assert.AreEqual(JsonValueKind.Null, root.GetProperty("workloads")[0].GetProperty("best_ms").ValueKind);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void AnUnknownFormatIsOneLineAndExitCodeTwo()
    {
        var (exit, _, error) = Cli.Run(string.Empty, "log", "summary", "/nonexistent.log", "--format", "xml");
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, "--format: \"xml\" is not one of text, csv, json");
    }

    /// <summary>
    /// The convergence plot: one curve per workload in its own colour and line style (the first drawn widest, so
    /// coinciding curves show), the legend outside the data area, a mark below zero at each trial that failed on the
    /// target, and with --log-x the trials at log10 positions.
    /// </summary>
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ThePlotShowsEveryCurveTheFailuresAndTheLegendOutside(bool logX)
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-plot-");
        try
        {
            var log = Path.Combine(dir.FullName, "two.log");
            var (tuneExit, _, tuneError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--workload", "resnet18.C9", "--workload", "resnet18.C5",
                "--tuner", "grid", "--trials", "40", "--log", log);
            Assert.AreEqual(0, tuneExit, tuneError);
            var records = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("hiltuner")).ToList();
            string[] failing = ["runtime_error", "hang", "wrong_answer", "board_reset", "link_lost"];
            var failed = records.Where(r => failing.Contains(r.GetProperty("status").GetString()))
                .GroupBy(r => r.GetProperty("workload").GetString()!)
                .ToDictionary(g => g.Key, g => g.Select(r => r.GetProperty("trial").GetInt32()).ToArray());
            Assert.IsNotEmpty(failed, "the log has trials that failed on the target");

            var curves = Commands.ConvergencePlot.FromLog(HilTuner.Tuning.Log.TuningLog.Read(log, out _));
            var plot = Commands.ConvergencePlot.Build(curves, "test", logX);
            var lines = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Where(p => !string.IsNullOrEmpty(p.LegendText)).ToList();
            CollectionAssert.AreEqual(new[] { "resnet18.C11", "resnet18.C9", "resnet18.C5" }, lines.Select(l => l.LegendText).ToArray());
            Assert.HasCount(3, lines.Select(l => (l.Color, l.LinePattern)).Distinct().ToList());
            Assert.IsTrue(lines[0].LineWidth > lines[1].LineWidth && lines[1].LineWidth > lines[2].LineWidth, "the first curve is drawn widest");
            Assert.AreEqual(logX ? Math.Log10(40) : 40, lines[0].Data.GetScatterPoints()[^1].X, 1e-12);

            var marks = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Where(p => string.IsNullOrEmpty(p.LegendText)).ToList();
            Assert.HasCount(failed.Count, marks);
            foreach (var mark in marks)
            {
                var workload = lines.Single(l => l.Color == mark.Color).LegendText;
                var points = mark.Data.GetScatterPoints();
                CollectionAssert.AreEquivalent(failed[workload].Select(t => logX ? Math.Log10(t) : t).ToArray(), points.Select(p => p.X).ToArray());
                Assert.IsTrue(points.All(p => p.Y < 0), "failure marks sit below zero");
            }

            Assert.IsTrue(plot.Axes.GetAxes().Any(a => a is ScottPlot.Panels.LegendPanel) || plot.Axes.GetPanels().Any(p => p is ScottPlot.Panels.LegendPanel), "the legend is a panel beside the data area");
            Assert.IsFalse(plot.Legend.IsVisible, "no legend inside the data area");

            var png = Path.Combine(dir.FullName, "plot.png");
            string[] plotArgs = logX ? ["log", "plot", log, "--out", png, "--log-x"] : ["log", "plot", log, "--out", png];
            var (exit, _, error) = Cli.Run(string.Empty, plotArgs);
            Assert.AreEqual(0, exit, error);
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);

            var before = File.ReadAllBytes(log);
            var (sameExit, _, sameError) = Cli.Run(string.Empty, "log", "plot", log, "--out", log);
            Assert.AreEqual(2, sameExit, sameError);
            CollectionAssert.AreEqual(before, File.ReadAllBytes(log));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary><c>tune --plot FILE --plot-log-x</c> draws the run's plot with the log-scale trials axis.</summary>
    [TestMethod]
    public void TuneTakesThePlotLogXOption()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-plot-");
        try
        {
            var (log, png) = (Path.Combine(dir.FullName, "t.log"), Path.Combine(dir.FullName, "t.png"));
            var (exit, output, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--tuner", "grid", "--trials", "8", "--log", log, "--plot", png, "--plot-log-x");
            Assert.AreEqual(0, exit, error);
            StringAssert.Contains(output, $"plot: {png}");
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
