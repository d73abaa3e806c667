using System.Text.Json.Nodes;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class BenchTunersCommandTests
{
    private static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    [TestMethod]
    public void TunersAreComparedOnReplayRelativeToXgb()
    {
        var truth = NewDirectory();
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "tuners", "--workloads", "resnet18.C9,resnet18.C11", "--tuners", "random,xgb,hiltuner",
            "--seeds", "2", "--trials", "40", "--groundtruth", truth, "--json");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(error, "on replay");
        StringAssert.Contains(output, "resnet18.C9 on sim (replay)");
        StringAssert.Contains(output, "relative to xgb: geometric mean over 2 layer(s)");
        StringAssert.Contains(output, "target (hiltuner ≤ 0.10 of xgb)");

        var result = JsonNode.Parse(Cli.Lines(output)[^1])!;
        Assert.AreEqual("replay", result["target"]!.GetValue<string>());
        var tuners = result["tuners"]!.AsObject();
        CollectionAssert.AreEquivalent(new[] { "random", "xgb", "hiltuner" }, tuners.Select(t => t.Key).ToArray());
        Assert.AreEqual(1.0, tuners["xgb"]!["measurements_to_best_ratio"]!.GetValue<double>(), 1e-12);
        foreach (var (_, figures) in tuners)
        {
            Assert.IsNotNull(figures!["invalid_measurements_ratio"]);
            Assert.IsLessThanOrEqualTo(1.0 + 1e-9, figures["score"]!.GetValue<double>());
        }

        // The tables were measured once and are found again by the next run.
        Assert.HasCount(2, Directory.GetFiles(truth, "*.jsonl"));
        var (again, _, againError) = Cli.Run(string.Empty, "bench", "tuners", "--workloads", "resnet18.C11,resnet18.C9", "--tuners", "xgb", "--seeds", "1", "--trials", "10", "--groundtruth", truth);
        Assert.AreEqual(0, again, againError);
        Assert.IsFalse(againError.Contains("ground truth measured", StringComparison.Ordinal), againError);
    }

    [TestMethod]
    public void GroundTruthIsMeasuredOnceAndReplayedByTune()
    {
        var truth = NewDirectory();
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "groundtruth", "--workload", "resnet18.C11", "--out", truth);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "#243");
        StringAssert.Contains(output, "33.95");

        var log = Path.Combine(truth, "replay.log");
        var (tuned, tuneOutput, tuneError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--target", "replay", "--groundtruth", truth, "--trials", "20", "--log", log);
        Assert.AreEqual(0, tuned, tuneError);
        StringAssert.Contains(tuneError, "replayed from ground-truth tables");
        StringAssert.Contains(tuneOutput, "measured on: replay");
        Assert.IsTrue(File.ReadAllLines(log).All(l => JsonNode.Parse(l)!["hiltuner"]!["target"]!.GetValue<string>() == "replay"));

        var (missing, _, missingError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C9", "--target", "replay", "--groundtruth", truth, "--trials", "20", "--log", Path.Combine(truth, "x.log"));
        Assert.AreEqual(2, missing);
        StringAssert.Contains(missingError, "no ground truth for resnet18.C9 on sim");
        StringAssert.Contains(missingError, "hiltuner bench groundtruth --workload resnet18.C9");
    }

    /// <summary>Where the tables cannot be written is found out before the space is measured, not after.</summary>
    [TestMethod]
    public void GroundTruthRefusesAnOutputItCannotWriteBeforeMeasuring()
    {
        var file = Path.Combine(NewDirectory(), "plain");
        File.WriteAllText(file, "x");
        var (exit, _, error) = Cli.Run(string.Empty, "bench", "groundtruth", "--workload", "resnet18.C2", "--out", file);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, $"--out {file} is a file; it needs a directory");
        Assert.DoesNotContain("configurations measured", error);
    }

    [TestMethod]
    [DataRow("--tuners|random,hiltuner", "--tuners must include xgb")]
    [DataRow("--tuners|xgb,bayes", "unknown tuner \"bayes\"")]
    [DataRow("--seeds|0", "--seeds must be at least 1, not 0")]
    [DataRow("--xgb-feature|curve", "--xgb-feature must be knob or program, not \"curve\"")]
    [DataRow("--workloads|resnet18.C99", "resnet18.C99")]
    [DataRow("--workloads|,,,", "--workloads \",,,\" names no workload")]
    public void BadInputGetsOneClearLineAndExitCode2(string args, string message)
    {
        var (exit, _, error) = Cli.Run(string.Empty, ["bench", "tuners", .. args.Split('|'), "--groundtruth", NewDirectory()]);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, message);
    }
}
