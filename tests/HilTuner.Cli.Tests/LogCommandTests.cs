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
            var (tuneExit, _, tuneError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--tuner", "grid", "--trials", "1", "--log", log);
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
}
