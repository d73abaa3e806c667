using System.Text.Json.Nodes;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class SelectCommandTests
{
    /// <summary>
    /// Two variants — sim.json and the same board built at 150 MHz (named sim-150mhz) — each with a log of 30 random
    /// configurations of C11 and LANN trained on it.
    /// </summary>
    private static readonly Lazy<(string Directory, string Fast, string[] Logs, string[] Models)> Setup = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var fast = Board(dir, "sim-150mhz", j => j["fabric"]!["clock_mhz"] = 150);
        string[] boards = [Cli.Board("sim.json"), fast];
        var logs = new string[2];
        var models = new string[2];
        for (var i = 0; i < 2; i++)
        {
            logs[i] = Path.Combine(dir, $"c11-{i}.log");
            var (exit, _, error) = Cli.Run(string.Empty, "tune", "--board", boards[i], "--workload", "resnet18.C11", "--tuner", "random", "--trials", "30", "--seed", "5", "--log", logs[i]);
            Assert.AreEqual(0, exit, error);
            models[i] = Path.Combine(dir, $"lann-{i}.onnx");
            (exit, _, error) = Cli.Run(string.Empty, "model", "train-perf", "--board", boards[i], "--log", logs[i], "--out", models[i], "--samples", "20");
            Assert.AreEqual(0, exit, error);
        }

        return (dir, fast, logs, models);
    });

    private static string Board(string dir, string name, Action<JsonNode> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(Cli.Board("sim.json")))!;
        json["name"] = name;
        edit(json);
        var path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    /// <summary>The best mean cost of the log's records that ran (AutoTVM's result: costs, error_no).</summary>
    private static double BestOf(string log) => File.ReadLines(log)
        .Select(l => JsonNode.Parse(l)!["result"]!)
        .Where(r => r[1]!.GetValue<int>() == 0)
        .Min(r => r[0]!.AsArray().Average(c => c!.GetValue<double>()));

    [TestMethod]
    public void SelectMarksMeasuredAndPredictedFiguresAndStaysWhenASwitchDoesNotPay()
    {
        var (_, fast, logs, models) = Setup.Value;
        var (exit, output, error) = Cli.Run(string.Empty, "select", "--board", Cli.Board("sim.json"), "--board", fast,
            "--log", logs[0], "--log", logs[1], "--model", models[0], "--model", models[1], "--layer", "C11", "--layer", "resnet18.C10", "--json");
        Assert.AreEqual(0, exit, error);
        var result = JsonNode.Parse(Cli.Lines(output)[^1])!;
        var layers = result["layers"]!.AsArray();
        Assert.HasCount(2, layers);

        // C10 comes first, in the network's order; no log has it, so LANN predicts it on both boards.
        Assert.AreEqual("resnet18.C10", layers[0]!["layer"]!.GetValue<string>());
        Assert.AreEqual("predicted", layers[0]!["figures"]!["sim"]!["source"]!.GetValue<string>());
        Assert.AreEqual("predicted", layers[0]!["figures"]!["sim-150mhz"]!["source"]!.GetValue<string>());

        // C11 is measured on both: each board's best measured time, the faster board's the smaller.
        var c11 = layers[1]!["figures"]!;
        Assert.AreEqual("measured", c11["sim"]!["source"]!.GetValue<string>());
        Assert.AreEqual(BestOf(logs[0]), c11["sim"]!["seconds"]!.GetValue<double>(), 1e-12);
        Assert.AreEqual(BestOf(logs[1]), c11["sim-150mhz"]!["seconds"]!.GetValue<double>(), 1e-12);
        Assert.AreEqual("sim-150mhz", layers[1]!["fastest"]!.GetValue<string>());

        // A millisecond or two saved does not pay for a 470 ms bitstream load: the plan stays on the loaded board.
        Assert.AreEqual("sim", layers[1]!["plan"]!.GetValue<string>());
        Assert.IsFalse(result["plan"]!["mixed"]!.GetValue<bool>());
        Assert.AreEqual(0, result["plan"]!["switches"]!.GetValue<int>());
        StringAssert.Contains(output, "measured #");
        StringAssert.Contains(output, "predicted #");
        StringAssert.Contains(output, "switching would cost more than it saves");
    }

    [TestMethod]
    public void ManyInferencesBetweenLoadsMakeTheFasterBitstreamPay()
    {
        var (_, fast, logs, _) = Setup.Value;
        var (exit, output, error) = Cli.Run(string.Empty, "select", "--board", Cli.Board("sim.json"), "--board", fast,
            "--log", logs[0], "--log", logs[1], "--layer", "C11", "--inferences", "100000", "--json");
        Assert.AreEqual(0, exit, error);
        var result = JsonNode.Parse(Cli.Lines(output)[^1])!;
        Assert.AreEqual("sim-150mhz", result["layers"]![0]!["plan"]!.GetValue<string>());
        Assert.AreEqual(1, result["plan"]!["switches"]!.GetValue<int>());
        Assert.AreEqual(0.47, result["plan"]!["switch_seconds"]!.GetValue<double>(), 1e-12);
    }

    [TestMethod]
    public void ABadBitstreamLoadTimeIsOneLineAndExit2()
    {
        var bad = Board(Setup.Value.Directory, "sim-bad-load", j => j["fpga"]!["bitstream_load_ms"] = -3);
        var (exit, _, error) = Cli.Run(string.Empty, "select", "--board", Cli.Board("sim.json"), "--board", bad, "--log", Setup.Value.Logs[0], "--layer", "C11");
        Assert.AreEqual(2, exit);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, bad);
        StringAssert.Contains(error, "fpga.bitstream_load_ms: -3 must be between 0 and 600000 ms");
    }

    [TestMethod]
    public void ABoardWithoutABitstreamLoadTimeCannotBeWeighedAgainstAnother()
    {
        var silent = Board(Setup.Value.Directory, "sim-no-fpga", j => j.AsObject().Remove("fpga"));
        var (exit, _, error) = Cli.Run(string.Empty, "select", "--board", Cli.Board("sim.json"), "--board", silent, "--log", Setup.Value.Logs[0], "--layer", "C11");
        Assert.AreEqual(2, exit);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, $"--board {silent}: no fpga.bitstream_load_ms");
    }

    [TestMethod]
    public void ALayerNoVariantHasAFigureForIsOneLineAndExit2()
    {
        var (exit, _, error) = Cli.Run(string.Empty, "select", "--board", Cli.Board("sim.json"), "--log", Setup.Value.Logs[0], "--layer", "C10");
        Assert.AreEqual(2, exit);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, "no figure for resnet18.C10 on any variant");
    }

    /// <summary>
    /// Both variants are seen through sim.json (the same program features), their truths are sim.json's and the 150 MHz
    /// board's simulators: LANN learns each board from its measurements alone, and the picks are judged on the truth.
    /// </summary>
    [TestMethod]
    public void BenchSelectJudgesThePicksAgainstTheGroundTruth()
    {
        var dir = Setup.Value.Directory;
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "select", "--board", Cli.Board("sim.json"), "--board", Cli.Board("sim.json"),
            "--truth-board", Cli.Board("sim.json"), "--truth-board", Setup.Value.Fast,
            "--layer", "C11", "--layer", "C10", "--samples", "20", "--groundtruth", Path.Combine(dir, "groundtruth"), "--json");
        Assert.AreEqual(0, exit, error);
        var select = JsonNode.Parse(Cli.Lines(output)[^1])!["select"]!;
        Assert.AreEqual(2, select["layers"]!.GetValue<int>());
        CollectionAssert.AreEqual(new[] { 20, 20 }, select["samples"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray());

        // The 150 MHz board is truly the faster on both layers, by the ground truth of every configuration.
        foreach (var layer in new[] { "resnet18.C10", "resnet18.C11" })
        {
            var l = select["per_layer"]![layer]!;
            Assert.AreEqual("sim-150mhz", l["fastest"]!.GetValue<string>());
            var truth = l["true_best_seconds"]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
            Assert.IsTrue(truth[1] < truth[0], $"{layer}: {truth[1]} s at 150 MHz, {truth[0]} s at 100 MHz");
        }

        var right = select["right"]!.GetValue<int>();
        StringAssert.Contains(output, $"picked right: {right} of 2 layers on LANN's predictions alone (trained on 20, 20 measurements)");
        Assert.IsTrue(select["true_plan_seconds"]!.GetValue<double>() <= select["plan_seconds_on_truth"]!.GetValue<double>() + 1e-12);
        CollectionAssert.AreEqual(new[] { "sim", "sim-150mhz" }, select["variants"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
    }

    [TestMethod]
    public void BenchSelectRefusesATruthBoardOfAnotherConfiguration()
    {
        var other = Board(Setup.Value.Directory, "sim-small-acc", j => j["vta"]!["LOG_ACC_BUFF_SIZE"] = 16);
        var (exit, _, error) = Cli.Run(string.Empty, "bench", "select", "--board", Cli.Board("sim.json"), "--board", Cli.Board("sim.json"),
            "--truth-board", Cli.Board("sim.json"), "--truth-board", other, "--layer", "C11", "--samples", "20", "--groundtruth", Path.Combine(Setup.Value.Directory, "groundtruth"));
        Assert.AreEqual(2, exit);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, "a truth board differs in timing only");
    }
}
