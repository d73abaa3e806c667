using System.Text.Json.Nodes;
using HilTuner.Tests.Shared;

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
        StringAssert.StartsWith(Cli.Lines(output)[0], "truth: the nominal board sim itself (no --truth-board)");
        StringAssert.Contains(error, "on replay");
        StringAssert.Contains(output, "resnet18.C9 on sim (replay, the nominal board as truth)");
        StringAssert.Contains(output, "relative to xgb: geometric mean over 2 layer(s) [95% bootstrap interval]");
        StringAssert.Contains(output, "target (hiltuner ≤ 0.12 of xgb's measurements to best, ≤ 0.39 of its invalid measurements)");
        StringAssert.Contains(output, "Rieber et al. (published, not ours)");

        var result = JsonNode.Parse(Cli.Lines(output)[^1])!;
        Assert.AreEqual("replay", result["target"]!.GetValue<string>());
        var tuners = result["tuners"]!.AsObject();
        CollectionAssert.AreEquivalent(new[] { "random", "xgb", "hiltuner" }, tuners.Select(t => t.Key).ToArray());
        Assert.AreEqual(1.0, tuners["xgb"]!["measurements_to_best_ratio"]!.GetValue<double>(), 1e-12);
        foreach (var (_, figures) in tuners)
        {
            Assert.IsNotNull(figures!["invalid_measurements_ratio"]);
            var (value, low, high) = (figures["measurements_to_best_ratio"]!.GetValue<double>(), figures["measurements_to_best_ratio_ci_low"]!.GetValue<double>(), figures["measurements_to_best_ratio_ci_high"]!.GetValue<double>());
            Assert.IsTrue(low <= value && value <= high, $"{low} ≤ {value} ≤ {high}");
            Assert.IsLessThanOrEqualTo(1.0 + 1e-9, figures["score"]!.GetValue<double>());
        }

        // The tables were measured once and are found again by the next run.
        Assert.HasCount(2, Directory.GetFiles(truth, "*.jsonl"));
        var (again, _, againError) = Cli.Run(string.Empty, "bench", "tuners", "--workloads", "resnet18.C11,resnet18.C9", "--tuners", "xgb", "--seeds", "1", "--trials", "10", "--groundtruth", truth);
        Assert.AreEqual(0, again, againError);
        Assert.IsFalse(againError.Contains("ground truth measured", StringComparison.Ordinal), againError);
    }

    /// <summary>
    /// Truth boards answer the measurements while the tuners know the nominal board: ground truth measured for each,
    /// the figures per truth board and over them, the plot with a panel per truth board, the JSON per board.
    /// </summary>
    [TestMethod]
    public void TunersAreComparedOnTruthBoardsTheyDoNotKnow()
    {
        var truth = NewDirectory();
        var truthBoards = new[] { Cli.Board("truth/pynq-slow-dram.json"), Cli.Board("truth/pynq-150mhz.json") };
        var (measured, measuredOut, measuredError) = Cli.Run(string.Empty, ["bench", "groundtruth", "--workload", "dense.512", "--board", Cli.Board("pynq-z1.json"), "--truth-board", .. truthBoards, "--out", truth]);
        Assert.AreEqual(0, measured, measuredError);
        StringAssert.StartsWith(Cli.Lines(measuredOut)[0], "truth: 2 truth board(s) (pynq-slow-dram, pynq-150mhz)");
        Assert.HasCount(3, Directory.GetFiles(truth, "*.jsonl"));

        var plot = Path.Combine(truth, "tuners.png");
        var (exit, output, error) = Cli.Run(string.Empty, ["bench", "tuners", "--workloads", "dense.512,dense.1024", "--board", Cli.Board("pynq-z1.json"), "--truth-board", .. truthBoards,
            "--tuners", "random,xgb,hiltuner", "--seeds", "2", "--trials", "30", "--groundtruth", truth, "--plot", plot, "--json"]);
        Assert.AreEqual(0, exit, error);
        StringAssert.StartsWith(Cli.Lines(output)[0], "truth: 2 truth board(s) (pynq-slow-dram, pynq-150mhz), their simulators with noise CV 0.02; the tuners know only the nominal board pynq-z1");
        StringAssert.Contains(output, "dense.1024 on truth board pynq-150mhz (replay; tuners know pynq-z1)");
        StringAssert.Contains(output, "all 2 truth boards, relative to xgb: geometric mean over 2 boards × 2 layer(s)");
        StringAssert.Contains(output, "ML²Tuner (published, not ours)");
        Assert.IsTrue(new FileInfo(plot).Length > 0);

        var result = JsonNode.Parse(Cli.Lines(output)[^1])!;
        Assert.AreEqual("pynq-z1", result["board"]!.GetValue<string>());
        Assert.IsFalse(result["truth_is_nominal"]!.GetValue<bool>());
        CollectionAssert.AreEquivalent(new[] { "pynq-slow-dram", "pynq-150mhz" }, result["truth_boards"]!.AsObject().Select(b => b.Key).ToArray());
        Assert.IsNotNull(result["truth_boards"]!["pynq-150mhz"]!["layers"]!["dense.512"]!["hiltuner"]!["measurements_to_best_ratio_ci_high"]);
        Assert.AreEqual(0.123, result["published"]![1]!["measurements_to_best_ratio"]!.GetValue<double>(), 1e-12);
        StringAssert.Contains(output, "floor: the best measured first (not a tuner)");
        StringAssert.Contains(output, "floor of the measurements-to-best ratio against this baseline");
        var floor = result["floor"]!["measurements_to_best_ratio"]!.GetValue<double>();
        Assert.IsLessThanOrEqualTo(1.0 + 1e-12, floor);
        foreach (var (name, figures) in result["tuners"]!.AsObject())
        {
            Assert.IsLessThanOrEqualTo(figures!["measurements_to_best_ratio"]!.GetValue<double>() + 1e-12, floor, $"{name} below the floor");
        }

        Assert.IsNotNull(result["truth_boards"]!["pynq-150mhz"]!["floor"]!["trials_to_best_ratio_ci_high"]);
    }

    [TestMethod]
    public void GroundTruthIsMeasuredOnceAndReplayedByTune()
    {
        var truth = NewDirectory();
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "groundtruth", "--workload", "resnet18.C11", "--board", Repository.UncalibratedBoardFile, "--out", truth);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "#243");
        StringAssert.Contains(output, "33.95");

        var log = Path.Combine(truth, "replay.log");
        var (tuned, tuneOutput, tuneError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--target", "replay", "--groundtruth", truth, "--board", Repository.UncalibratedBoardFile, "--trials", "20", "--log", log);
        Assert.AreEqual(0, tuned, tuneError);
        StringAssert.Contains(tuneError, "replayed from ground-truth tables");
        StringAssert.Contains(tuneOutput, "measured on: replay");
        Assert.IsTrue(File.ReadAllLines(log).All(l => JsonNode.Parse(l)!["hiltuner"]!["target"]!.GetValue<string>() == "replay"));

        var (missing, _, missingError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C9", "--target", "replay", "--groundtruth", truth, "--board", Repository.UncalibratedBoardFile, "--trials", "20", "--log", Path.Combine(truth, "x.log"));
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
    public void AnUnknownOptionAfterTheTruthBoardsIsNamedAsAnOption()
    {
        // bench groundtruth keeps its tables in --out; --groundtruth is bench tuners' name for it.
        var (exit, _, error) = Cli.Run(string.Empty, "bench", "groundtruth", "--workload", "resnet18.C2", "--truth-board", Cli.Board("truth/pynq-mixed.json"), "--groundtruth", NewDirectory());
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, "--truth-board: '--groundtruth' is not a board file but an option this command does not have");
    }

    [TestMethod]
    [DataRow("--tuners|random,hiltuner", "--tuners must include xgb")]
    [DataRow("--tuners|xgb,bayes", "unknown tuner \"bayes\"")]
    [DataRow("--seeds|0", "--seeds must be at least 1, not 0")]
    [DataRow("--xgb-feature|curve", "--xgb-feature must be knob or program, not \"curve\"")]
    [DataRow("--workloads|resnet18.C99", "resnet18.C99")]
    [DataRow("--workloads|,,,", "--workloads \",,,\" names no workload")]
    [DataRow("--noise-cv|-0.1", "--noise-cv must be between 0 and 1, not -0.1")]
    [DataRow("--truth-board|{ultra96}", "a truth board differs in timing only")]
    public void BadInputGetsOneClearLineAndExitCode2(string args, string message)
    {
        var (exit, _, error) = Cli.Run(string.Empty, ["bench", "tuners", .. args.Replace("{ultra96}", Cli.Board("ultra96-v2.json"), StringComparison.Ordinal).Split('|'), "--groundtruth", NewDirectory()]);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, message);
    }
}
