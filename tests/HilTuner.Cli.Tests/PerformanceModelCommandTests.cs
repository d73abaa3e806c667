using System.Text.Json.Nodes;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class PerformanceModelCommandTests
{
    /// <summary>A log of 120 random configurations of C11 and C10 on the simulator, and LANN trained on the latest 20 that ran.</summary>
    private static readonly Lazy<(string Directory, string Log, string Model, string TrainOutput)> Trained = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var log = Path.Combine(dir, "random.log");
        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--workload", "resnet18.C10", "--tuner", "random", "--trials", "60", "--seed", "3", "--log", log);
        Assert.AreEqual(0, exit, error);
        var model = Path.Combine(dir, "lann.onnx");
        var (trainExit, output, trainError) = Cli.Run(string.Empty, "model", "train-perf", "--log", log, "--out", model, "--samples", "20");
        Assert.AreEqual(0, trainExit, trainError);
        return (dir, log, model, output);
    });

    [TestMethod]
    public void TrainPerfWritesLannAndSaysItsSize()
    {
        var (_, _, model, output) = Trained.Value;
        Assert.IsTrue(File.Exists(model));
        StringAssert.Contains(output, "lann, 71 parameters (12 inputs, 5 hidden units), trained on 20 measured configurations on the simulator");
    }

    [TestMethod]
    public void PredictPrintsTheSecondsOfAPerformanceModel()
    {
        var (exit, output, error) = Cli.Run(string.Empty, "model", "predict", "--model", Trained.Value.Model, "--workload", "resnet18.C11", "--index", "243");
        Assert.AreEqual(0, exit, error);
        var result = JsonNode.Parse(output)!;
        Assert.AreEqual("lann", result["predictor"]!.GetValue<string>());
        var seconds = result["seconds"]!.GetValue<double>();
        var estimate = result["estimate_seconds"]!.GetValue<double>();
        Assert.IsTrue(seconds > estimate / 3 && seconds < estimate * 3, $"{seconds} s predicted, {estimate} s estimated");
    }

    [TestMethod]
    public void ABadModelFileIsOneLineAndExit2()
    {
        var bad = Path.Combine(Trained.Value.Directory, "bad.onnx");
        var bytes = File.ReadAllBytes(Trained.Value.Model);
        bytes[bytes.Length / 3] ^= 0x33;
        File.WriteAllBytes(bad, bytes);
        var (exit, _, error) = Cli.Run(string.Empty, "model", "predict", "--model", bad, "--workload", "resnet18.C11", "--index", "243");
        Assert.AreEqual(2, exit);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, bad);
    }

    [TestMethod]
    public void TooManySamplesAreRefused()
    {
        var (exit, _, error) = Cli.Run(string.Empty, "model", "train-perf", "--log", Trained.Value.Log, "--out", Path.Combine(Trained.Value.Directory, "x.onnx"), "--samples", "300");
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error, "--samples must be from 2 to 250, not 300");
    }

    [TestMethod]
    public void BenchPredictorsEndsWithTheJsonOfEveryPredictor()
    {
        var truth = JsonNode.Parse(File.ReadAllText(Cli.Board("sim.json")))!;
        truth["name"] = "truth-150mhz";
        truth["fabric"]!["clock_mhz"] = 150;
        truth["timing"]!["dma_latency_cycles"] = 36;
        var truthFile = Path.Combine(Trained.Value.Directory, "truth.json");
        File.WriteAllText(truthFile, truth.ToJsonString());
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "predictors", "--truth-board", truthFile, "--per-layer", "5", "--sizes", "10", "20", "--json");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "features from sim, seconds from the simulator of truth board");
        StringAssert.Contains(output, "truth-150mhz");
        var predictors = JsonNode.Parse(Cli.Lines(output)[^1])!["predictors"]!.AsObject();
        CollectionAssert.AreEquivalent(new[] { "lann", "ffnn", "ffnn-large", "fasttree", "estimate" }, predictors.Select(p => p.Key).ToArray());
        Assert.AreEqual(71, predictors["lann"]!["parameters"]!.GetValue<int>());
        Assert.AreEqual(20, predictors["lann"]!["samples"]!.GetValue<int>());
        Assert.AreEqual(0, predictors["estimate"]!["parameters"]!.GetValue<int>());

        // The truth runs at 150 MHz, the estimate at 100: the raw estimate is off by 10% or more.
        Assert.IsGreaterThan(0.1, predictors["estimate"]!["mape"]!.GetValue<double>());
        Assert.IsGreaterThan(0, predictors["lann"]!["per_layer"]!.AsObject().Count);
    }

    [TestMethod]
    public void ATruthBoardOfAnotherConfigurationIsRefused()
    {
        var other = JsonNode.Parse(File.ReadAllText(Cli.Board("sim.json")))!;
        other["vta"]!["LOG_INP_BUFF_SIZE"] = 14;
        var otherFile = Path.Combine(Trained.Value.Directory, "other.json");
        File.WriteAllText(otherFile, other.ToJsonString());
        var (exit, _, error) = Cli.Run(string.Empty, "bench", "predictors", "--truth-board", otherFile);
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error, "--truth-board");
        StringAssert.Contains(error, "VTA configuration");
    }
}
