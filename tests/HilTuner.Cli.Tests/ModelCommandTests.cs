using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Tests.Shared;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class ModelCommandTests
{
    /// <summary>A log of every configuration of C11 and C9 (grid search over the whole spaces) and the model trained on it.</summary>
    private static readonly Lazy<(string Log, string Model, string TrainOutput)> Trained = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var log = Path.Combine(dir, "grid.log");
        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--workload", "resnet18.C9", "--tuner", "grid", "--trials", "576", "--log", log);
        Assert.AreEqual(0, exit, error);
        var model = Path.Combine(dir, "validity.onnx");
        var (trainExit, output, trainError) = Cli.Run(string.Empty, "model", "train-validity", "--log", log, "--out", model);
        Assert.AreEqual(0, trainExit, trainError);
        return (log, model, output);
    });

    [TestMethod]
    public void TrainValidityWritesTheModelAndSaysHowItDoes()
    {
        var (_, model, output) = Trained.Value;
        Assert.IsTrue(File.Exists(model));
        Assert.IsTrue(File.Exists(Path.ChangeExtension(model, ".mlnet.zip")), "the ML.NET form is kept beside the ONNX file");
        // The log was measured on the simulator, and the message says so (not "on the board").
        StringAssert.Contains(output, "178 measured configurations (16 failed on the simulator)");
        StringAssert.Contains(output, "heads p_fail");
        StringAssert.Contains(output, "on held-out folds it catches");
    }

    [TestMethod]
    public void TreesAndLeavesSizeTheModel()
    {
        var small = Path.Combine(Path.GetDirectoryName(Trained.Value.Model)!, "small.onnx");
        var (exit, output, error) = Cli.Run(string.Empty, "model", "train-validity", "--log", Trained.Value.Log, "--out", small, "--trees", "5", "--leaves", "4");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "on held-out folds it catches");

        // 5 trees of 4 leaves against the default 100 of 16: far fewer nodes in the file.
        Assert.IsLessThan(new FileInfo(Trained.Value.Model).Length / 4, new FileInfo(small).Length);
        (exit, output, error) = Cli.Run(string.Empty, "model", "predict", "--model", small, "--workload", "resnet18.C11", "--index", "243");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "p_fail");
    }

    [TestMethod]
    public void InfoShowsTheMetadata()
    {
        var (exit, output, error) = Cli.Run(string.Empty, "model", "info", Trained.Value.Model);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "1x16_i8w8a32_15_15_18_17");
        StringAssert.Contains(output, "threshold");
        StringAssert.Contains(output, "training_rows");
        StringAssert.Contains(output, "ai.onnx.ml 3");
    }

    [TestMethod]
    [DataRow(243L)]
    [DataRow(0L)]
    public void BothEnginesGiveTheSameProbability(long index)
    {
        double Predict(string engine)
        {
            var (exit, output, error) = Cli.Run(string.Empty, "model", "predict", "--model", Trained.Value.Model, "--workload", "resnet18.C11", "--index", $"{index}", "--engine", engine);
            Assert.AreEqual(0, exit, error);
            var result = JsonNode.Parse(Cli.Lines(output)[^1])!;
            Assert.AreEqual(engine, result["engine"]!.GetValue<string>());
            return result["status"]!.GetValue<string>() == "compiled" ? result["p_fail"]!.GetValue<double>() : double.NaN;
        }

        var (ort, mlnet) = (Predict("ort"), Predict("mlnet"));
        if (double.IsNaN(ort))
        {
            Assert.IsTrue(double.IsNaN(mlnet));
        }
        else
        {
            Assert.AreEqual(mlnet, ort, 1e-5);
        }
    }

    /// <summary>Both engines print every head as the ONNX engine computes it; with mlnet, p_fail is ML.NET's.</summary>
    [TestMethod]
    public void MlNetKeepsThePerHeadProbabilities()
    {
        JsonObject Predict(string engine)
        {
            var (exit, output, error) = Cli.Run(string.Empty, "model", "predict", "--model", Trained.Value.Model, "--workload", "resnet18.C11", "--index", "243", "--engine", engine);
            Assert.AreEqual(0, exit, error);
            return JsonNode.Parse(Cli.Lines(output)[^1])!.AsObject();
        }

        var (ort, mlnet) = (Predict("ort"), Predict("mlnet"));
        var (ortHeads, mlnetHeads) = (ort["heads"]!.AsObject(), mlnet["heads"]!.AsObject());
        Assert.IsGreaterThan(1, ortHeads.Count, "the model has class heads beside p_fail");
        CollectionAssert.AreEqual(ortHeads.Select(h => h.Key).ToList(), mlnetHeads.Select(h => h.Key).ToList());
        Assert.AreEqual(mlnet["p_fail"]!.GetValue<double>(), mlnetHeads["p_fail"]!.GetValue<double>());
        foreach (var (head, value) in ortHeads.Where(h => h.Key != "p_fail"))
        {
            Assert.AreEqual(value!.GetValue<double>(), mlnetHeads[head]!.GetValue<double>(), head);
        }
    }

    [TestMethod]
    public void AConfigurationThatFailsOnTheBoardIsPredictedToFail()
    {
        // C11's runtime errors: the model learnt them from this very log, and says so.
        var records = File.ReadAllLines(Trained.Value.Log).Select(l => JsonNode.Parse(l)!).Where(r => r["hiltuner"]!["workload"]!.GetValue<string>() == "resnet18.C11");
        var failing = records.First(r => r["hiltuner"]!["status"]!.GetValue<string>() == "runtime_error")["config"]!["index"]!.GetValue<long>();
        var (exit, output, error) = Cli.Run(string.Empty, "model", "predict", "--model", Trained.Value.Model, "--workload", "resnet18.C11", "--index", $"{failing}");
        Assert.AreEqual(0, exit, error);
        Assert.AreEqual("skip", JsonNode.Parse(Cli.Lines(output)[^1])!["verdict"]!.GetValue<string>());
    }

    [TestMethod]
    [DataRow("predict|--model|MODEL|--workload|resnet18.C11|--index|99999", "outside the space of 576")]
    [DataRow("predict|--model|MODEL|--workload|resnet18.C11", "give --index N or --knobs JSON")]
    [DataRow("predict|--model|MODEL|--workload|resnet18.C11|--index|3|--engine|tvm", "unknown engine \"tvm\"")]
    [DataRow("predict|--model|/nonexistent/m.onnx|--workload|resnet18.C11|--index|3", "/nonexistent/m.onnx")]
    [DataRow("info|/nonexistent/m.onnx", "/nonexistent/m.onnx")]
    [DataRow("train-validity|--log|/nonexistent/a.log|--out|/tmp/x.onnx", "/nonexistent/a.log")]
    [DataRow("train-validity|--log|LOG|--out|/tmp/x.onnx|--trees|0", "--trees must be at least 1")]
    [DataRow("train-validity|--log|LOG|--out|/tmp", "/tmp is a directory; --out needs a file")]
    [DataRow("train-validity|--log|LOG|--out|LOG", "is also the --log it reads; writing it would destroy that input")]
    [DataRow("train-validity|--log|LOG|--out|/proc/nope/x.onnx", "cannot write the model there")]
    [DataRow("train-validity|--log|/tmp/a.onnx|--log|/tmp/a.mlnet.zip|--out|/tmp/a.onnx", "--out /tmp/a.onnx is also the --log it reads")]
    [DataRow("train-validity|--log|LOG|--out|/tmp/x.onnx|--max-false-skip|NaN", "--max-false-skip must be in [0, 1), not NaN")]
    public void BadInputGetsOneClearLineAndExitCode2(string args, string message)
    {
        var argv = new List<string> { "model" };
        argv.AddRange(args.Replace("MODEL", Trained.Value.Model, StringComparison.Ordinal).Replace("LOG", Trained.Value.Log, StringComparison.Ordinal).Split('|'));
        var (exit, _, error) = Cli.Run(string.Empty, [.. argv]);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, message);
    }

    /// <summary>A training that fails says why in one line, what was left out of it included; the log is left as it was.</summary>
    [TestMethod]
    public void ATrainingThatFailsIsOneLineWithWhatWasLeftOut()
    {
        var json = JsonNode.Parse(File.ReadAllText(Repository.BoardFile("sim.json")))!.AsObject();
        json["vta"]!["LOG_INP_BUFF_SIZE"] = 14;
        var dir = Path.GetDirectoryName(Trained.Value.Model)!;
        var board = Path.Combine(dir, "small-inp-train.json");
        File.WriteAllText(board, json.ToJsonString());
        var before = File.ReadAllText(Trained.Value.Log);
        var (exit, output, error) = Cli.Run(string.Empty, "model", "train-validity", "--log", Trained.Value.Log, "--board", board, "--out", Path.Combine(dir, "none.onnx"));
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, "record(s) left out: measured on VTA configuration 1x16_i8w8a32_15_15_18_17");
        Assert.AreEqual(string.Empty, output);
        Assert.IsFalse(File.Exists(Path.Combine(dir, "none.onnx")));
        Assert.AreEqual(before, File.ReadAllText(Trained.Value.Log));
    }

    [TestMethod]
    public void AModelForAnotherVtaConfigurationIsRefused()
    {
        var json = JsonNode.Parse(File.ReadAllText(Repository.BoardFile("sim.json")))!.AsObject();
        json["vta"]!["LOG_INP_BUFF_SIZE"] = 14;
        var board = Path.Combine(Path.GetDirectoryName(Trained.Value.Model)!, "small-inp.json");
        File.WriteAllText(board, json.ToJsonString());
        var (exit, _, error) = Cli.Run(string.Empty, "model", "predict", "--model", Trained.Value.Model, "--board", board, "--workload", "resnet18.C11", "--index", "3");
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error, "trained for VTA configuration 1x16_i8w8a32_15_15_18_17");
    }

    [TestMethod]
    public void TuningBehindTheGateLogsSkippedPrograms()
    {
        var log = Path.Combine(Path.GetDirectoryName(Trained.Value.Model)!, $"{Guid.NewGuid():N}.log");
        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--tuner", "grid", "--trials", "576", "--log", log,
            "--validity-model", Trained.Value.Model, "--gate-exploration", "0");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(error, "validity gate");
        var statuses = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("hiltuner").GetProperty("status").GetString()).ToList();
        Assert.IsTrue(statuses.Contains("skipped"));

        // Trained on these very configurations, the gate lets no failure through.
        Assert.IsFalse(statuses.Any(s => s is "runtime_error" or "wrong_answer"), string.Join(", ", statuses.Distinct()));
        Assert.AreEqual(81, statuses.Count(s => s == "ok"), "and it skips none of the good ones");
    }

    [TestMethod]
    public void BenchGateMeasuresTheThreeEnginesOnTheModel()
    {
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "gate", "--model", Trained.Value.Model, "--rows", "2000", "--json");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "ML.NET PredictionEngine (reused)");
        StringAssert.Contains(output, "OnnxRuntime, batches of 256");
        var figures = JsonNode.Parse(Cli.Lines(output)[^1])!;
        Assert.AreEqual(2000, figures["rows"]!.GetValue<int>());
        Assert.IsGreaterThan(0, figures["prediction_engine_rows_per_s"]!.GetValue<double>());
        Assert.IsGreaterThan(0, figures["transform_rows_per_s"]!.GetValue<double>());
        Assert.HasCount(4, figures["onnx_rows_per_s"]!.AsObject());
        StringAssert.Contains(output, "OnnxRuntime, batches of 1024, one core");
        Assert.AreEqual(Environment.ProcessorCount, figures["onnx_lanes"]!.GetValue<int>());
        Assert.IsGreaterThan(0, figures["onnx_one_core_rows_per_s"]!.GetValue<double>());
        Assert.IsLessThanOrEqualTo(1e-5, figures["max_difference"]!.GetValue<double>(), "the engines must agree on every row");
    }
}
