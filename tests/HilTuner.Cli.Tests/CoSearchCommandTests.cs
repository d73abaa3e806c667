using System.Text.Json;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class CoSearchCommandTests
{
    private const string Tiny = """
        { "name": "tiny", "input": {"height": 14, "width": 14, "channels": 64},
          "stages": [ {"depth": [1], "width": [64, 128], "kernel": [3], "stride": [1]}, {"depth": [1, 2], "width": [128], "kernel": [1, 3], "stride": [2]} ],
          "head": {"classes": 64} }
        """;

    /// <summary>The stand-in evaluator: a documented formula of depth, width and kernel, NOT a trained network's accuracy.</summary>
    private static string StandInEvaluator => $"python3 {Path.Combine(Cli.RepositoryRoot, "tests", "cosearch", "stand-in-evaluator.py")}";

    private static (string Dir, string[] Args) Setup(params string[] extra)
    {
        var dir = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var space = Path.Combine(dir, "tiny.json");
        File.WriteAllText(space, Tiny);
        return (dir, ["cosearch", "--space", space, "--out", Path.Combine(dir, "out"), "--budget", "2", "--population", "4", "--generations", "2", .. extra]);
    }

    [TestMethod]
    public void CoSearchWritesTheFrontThePlotAndTheScheduleLibraryAndAResumedRunMeasuresNothing()
    {
        var (dir, args) = Setup("--accuracy-cmd", StandInEvaluator, "--accuracy-min", "0.5");
        var (exit, output, error) = Cli.Run(string.Empty, args);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "dominated once tuned");
        StringAssert.Contains(error, "[co-search] generation 2/2");

        using var front = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "front.json")));
        var root = front.RootElement;
        Assert.IsTrue(root.GetProperty("dominated_default_points").GetInt32() >= 0);
        Assert.AreEqual(JsonValueKind.Number, root.GetProperty("gain_at_equal_accuracy").ValueKind);
        var points = root.GetProperty("front").EnumerateArray().ToList();
        Assert.IsTrue(points.Count > 0);
        var library = File.ReadAllLines(Path.Combine(dir, "out", "schedules.log"));
        var tuned = library.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("hiltuner").GetProperty("workload").GetString()).ToHashSet();
        var latencies = new List<double>();
        foreach (var p in points)
        {
            Assert.AreEqual("tiny", p.GetProperty("architecture").GetProperty("space").GetString());
            Assert.AreEqual("1x16_i8w8a32_15_15_18_17", p.GetProperty("vta_config").GetString());
            var layers = p.GetProperty("layers").EnumerateArray().Select(l => l.GetString()!).ToList();
            Assert.IsTrue(layers.All(tuned.Contains), "every layer of a front point is a block of the library");
            var (latency, fallback) = (p.GetProperty("latency_ms").GetDouble(), p.GetProperty("default_latency_ms").GetDouble());
            Assert.IsTrue(latency > 0 && latency <= fallback, $"tuned {latency} ms, default {fallback} ms");
            latencies.Add(latency);
            var accuracy = p.GetProperty("accuracy").GetDouble();
            Assert.IsTrue(accuracy is > 0.45 and < 0.75, $"the stand-in's formula lies in (0.45, 0.75): {accuracy}");
        }

        CollectionAssert.AreEqual(latencies.Order().ToList(), latencies, "the front is listed fastest first");
        var png = File.ReadAllBytes(Path.Combine(dir, "out", "front.png"));
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        // Resumed from the directory: the same search, answered from the library and the accuracy cache.
        var evaluations = File.ReadAllLines(Path.Combine(dir, "out", "accuracy.jsonl")).Length;
        (exit, var again, error) = Cli.Run(string.Empty, args);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(error, "(0 measurements this run)");
        Assert.AreEqual(library.Length, File.ReadAllLines(Path.Combine(dir, "out", "schedules.log")).Length);
        Assert.AreEqual(evaluations, File.ReadAllLines(Path.Combine(dir, "out", "accuracy.jsonl")).Length);
        Assert.AreEqual(Cli.Lines(output)[0], Cli.Lines(again)[0]);
    }

    [TestMethod]
    public void AnAccuracyCommandThatPrintsNoNumberIsOneLineAndExitCode2AndTheLibraryIsKept()
    {
        var (dir, args) = Setup("--accuracy-cmd", "cat >/dev/null; echo high", "--latency-budget", "50");
        var (exit, _, error) = Cli.Run(string.Empty, args);
        Assert.AreEqual(2, exit, error);
        var lines = Cli.Lines(error).Where(l => !l.StartsWith("hiltuner: cosearch:", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(1, lines.Count, error);
        StringAssert.Contains(lines[0], "\"high\" is not an accuracy (a number from 0 to 1)");
        Assert.IsTrue(File.ReadAllLines(Path.Combine(dir, "out", "schedules.log")).Length > 0, "the blocks measured before are kept");
    }

    [TestMethod]
    public void AnAccuracyTableWithoutTheCandidateOrBothConstraintsAreRefused()
    {
        var (dir, args) = Setup();
        var table = Path.Combine(dir, "acc.csv");
        File.WriteAllText(table, "architecture,top1\nd1w64k3s1_d1w128k1s2,0.6\n");
        var (exit, _, error) = Cli.Run(string.Empty, [.. args, "--accuracy", table, "--accuracy-min", "0.5"]);
        Assert.AreEqual(2, exit, error);
        StringAssert.Contains(error, $"{table}: no row for architecture");

        (exit, _, error) = Cli.Run(string.Empty, [.. args, "--accuracy", table, "--accuracy-min", "0.5", "--latency-budget", "3"]);
        Assert.AreEqual(2, exit);
        Assert.AreEqual("hiltuner: give one of --latency-budget MS and --accuracy-min A\n", error);
    }

    [TestMethod]
    public void TheTruthBoardsTimingMeasuresTheBlocks()
    {
        var (dir, args) = Setup("--accuracy-cmd", StandInEvaluator, "--latency-budget", "500");
        var truth = Path.Combine(dir, "slow.json");
        var board = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Cli.Board("sim.json")))!;
        board["name"] = "slow-sim";
        board["timing"]!["launch_overhead_us"] = 2000;
        File.WriteAllText(truth, board.ToJsonString());
        var (exit, _, error) = Cli.Run(string.Empty, [.. args, "--truth-board", truth]);
        Assert.AreEqual(0, exit, error);

        var library = File.ReadAllLines(Path.Combine(dir, "out", "schedules.log"));
        Assert.IsTrue(library.All(l => JsonDocument.Parse(l).RootElement.GetProperty("hiltuner").GetProperty("board").GetString() == "slow-sim"));
        using var front = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "front.json")));
        Assert.AreEqual("simulator of slow-sim", front.RootElement.GetProperty("about").GetProperty("measured_on").GetString());
        foreach (var p in front.RootElement.GetProperty("front").EnumerateArray())
        {
            // Every layer is one call, and every call pays the truth board's 2 ms launch.
            var layers = p.GetProperty("layers").GetArrayLength();
            Assert.IsTrue(p.GetProperty("latency_ms").GetDouble() >= 2.0 * layers, p.ToString());
        }

        // The library of one board is not resumed on another.
        (exit, _, error) = Cli.Run(string.Empty, args);
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error, "were measured on sim (slow-sim); this run measures on sim (sim)");
    }

    [TestMethod]
    public void TheSearchChoosesAmongTheBitstreamsThatFitThePart()
    {
        var (dir, args) = Setup("--accuracy-cmd", StandInEvaluator, "--latency-budget", "40", "--board", Cli.Board("pynq-z1.json"),
            "--vta-config", "1x16_i8w8a32_15_15_18_17", "--vta-config", "1x32_i8w8a32_15_15_18_17", "--vta-config", "1x8_i8w8a32_15_14_16_16");
        var (exit, _, error) = Cli.Run(string.Empty, args);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(error, "--vta-config 1x32_i8w8a32_15_15_18_17 left out: needs 512 DSP");
        var library = File.ReadAllLines(Path.Combine(dir, "out", "schedules.log"));
        var configs = library.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("hiltuner").GetProperty("vta_config").GetString()).ToHashSet();
        Assert.IsTrue(configs.IsSubsetOf(["1x16_i8w8a32_15_15_18_17", "1x8_i8w8a32_15_14_16_16"]), string.Join(", ", configs));
        Assert.AreEqual(2, configs.Count, "both bitstreams that fit were searched");
    }
}
