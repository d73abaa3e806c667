using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Tests.Shared;
using HilTuner.Validity;
using HilTuner.Vta.Config;

namespace HilTuner.Edge.Tests;

[TestClass]
public sealed class EdgePredictorTests
{
    private const string Workload = "resnet18.C11";

    private static readonly TimeSpan ProgramTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The emulated run compiles and predicts every configuration of the space, JIT and all, under qemu.</summary>
    private static readonly TimeSpan EmulatedTimeout = TimeSpan.FromMinutes(10);

    public TestContext TestContext { get; set; } = null!;

    [ClassCleanup]
    public static void Cleanup()
    {
        Arm64Build.Delete();
        if (EdgeModel.Created)
        {
            try
            {
                Directory.Delete(EdgeModel.Instance.Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [TestMethod]
    public void TheArm64BuildUnderQemuPrintsWhatTheX64BuildPrints()
    {
        var lines = CompareBuilds(Workload);

        // Not a degenerate model: some configurations are skipped, some measured.
        var verdicts = lines.Select(l => JsonNode.Parse(l)!["verdict"]?.GetValue<string>()).Where(v => v is not null).ToList();
        Assert.Contains("skip", verdicts, "no configuration is predicted to fail");
        Assert.Contains("measure", verdicts, "every configuration is predicted to fail");
    }

    [TestMethod]
    public void TheArm64BuildAgreesOnALayerTheModelWasNotTrainedOn()
    {
        // On the layers it was trained on the model is sure of itself (probabilities round to exactly 0 or 1 in
        // float); on another layer the rows fall between its splits and the probabilities are fractions, the digits
        // of which depend on every float operation of the two builds.
        var lines = CompareBuilds("resnet18.C10");
        var fractions = lines.SelectMany(l => Probabilities(JsonNode.Parse(l)!.AsObject())).Count(p => p.Value is > 0 and < 1);
        Assert.IsGreaterThan(0, fractions, "no probability strictly between 0 and 1: the comparison would prove little");
    }

    /// <summary>
    /// Runs the x64 and the arm64 build on every configuration of <paramref name="workload"/> and asserts that they
    /// print the same lines, digit for digit; returns the lines.
    /// </summary>
    private string[] CompareBuilds(string workload)
    {
        Arm64Build.RequireEmulator();
        var clock = Stopwatch.StartNew();
        var model = EdgeModel.Instance;
        var trainTime = clock.Elapsed;
        string[] args = ["--model", model.Path, "--workload", workload, "--all"];

        var x64 = RunX64(args);
        Assert.AreEqual(0, x64.ExitCode, x64.ToString());
        Assert.AreEqual(string.Empty, x64.Error, x64.ToString());

        _ = Arm64Build.Directory;
        var arm64 = Arm64Build.Run(args, EmulatedTimeout);
        Assert.AreEqual(0, arm64.ExitCode, arm64.ToString());
        Assert.AreEqual(string.Empty, arm64.Error, arm64.ToString());

        var space = Templates.For(WorkloadRegistry.Resolve(workload), Board.Default.Vta);
        var x64Lines = x64.OutputLines;
        var arm64Lines = arm64.OutputLines;
        Assert.HasCount((int)space.Size, x64Lines, "x64: one line per configuration");
        Assert.HasCount((int)space.Size, arm64Lines, "arm64: one line per configuration");

        var maxDifference = 0.0;
        var values = 0;
        var differing = new List<string>();
        for (var i = 0; i < x64Lines.Length; i++)
        {
            var a = JsonNode.Parse(x64Lines[i])!.AsObject();
            var b = JsonNode.Parse(arm64Lines[i])!.AsObject();
            Assert.AreEqual((long)i, a["index"]!.GetValue<long>(), $"x64 line {i}");
            Assert.AreEqual((long)i, b["index"]!.GetValue<long>(), $"arm64 line {i}");
            var pa = Probabilities(a).ToList();
            var pb = Probabilities(b).ToList();
            Assert.AreEqual(pa.Count, pb.Count, $"configuration {i}: x64 and arm64 print different heads");
            for (var k = 0; k < pa.Count; k++)
            {
                values++;
                maxDifference = Math.Max(maxDifference, Math.Abs(pa[k].Value - pb[k].Value));
            }

            if (x64Lines[i] != arm64Lines[i])
            {
                differing.Add($"x64:   {x64Lines[i]}\narm64: {arm64Lines[i]}");
            }
        }

        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{workload}: {space.Size} configurations, {values} probabilities; max |x64 - arm64| = {maxDifference:R}; lines differing: {differing.Count}; " +
            $"model ready after {trainTime.TotalSeconds:F1} s, x64 run {x64.Elapsed.TotalSeconds:F1} s, " +
            $"arm64 publish {Arm64Build.PublishTime.TotalSeconds:F1} s, arm64 run under qemu {arm64.Elapsed.TotalSeconds:F1} s"));

        // Digit for digit: the same configurations, statuses, errors, probabilities, thresholds and verdicts.
        Assert.IsEmpty(differing, string.Create(CultureInfo.InvariantCulture,
            $"{differing.Count} lines differ between the x64 and the arm64 build (max probability difference {maxDifference:R}); first:\n{differing.FirstOrDefault()}"));
        return x64Lines;
    }

    [TestMethod]
    public void TheProgramComputesTheRowsTheModelWasTrainedOn()
    {
        // The x64 build's p_fail against the in-memory trees on rows computed here: same features, same arithmetic.
        var model = EdgeModel.Instance;
        var run = RunX64(["--model", model.Path, "--workload", Workload, "--all"]);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        var board = Board.Default;
        var workload = WorkloadRegistry.Resolve(Workload);
        var space = Templates.For(workload, board.Vta);
        var compiled = 0;
        foreach (var line in run.OutputLines)
        {
            var json = JsonNode.Parse(line)!.AsObject();
            var index = json["index"]!.GetValue<long>();
            Assert.AreEqual(Workload, json["workload"]!.GetValue<string>());
            var result = VtaCompiler.Compile(workload, space.Get(index), board);
            if (result.Program is not { } program)
            {
                Assert.AreEqual("compile_error", json["status"]!.GetValue<string>(), line);
                Assert.AreEqual(result.Error!.Message, json["error"]!.GetValue<string>(), line);
                Assert.IsNull(json[ValidityModelFormat.FailHead], line);
                continue;
            }

            compiled++;
            Assert.AreEqual("compiled", json["status"]!.GetValue<string>(), line);
            var expected = model.Trained.FailureProbability(ProgramFeatures.Of(program, board));
            var printed = json[ValidityModelFormat.FailHead]!.GetValue<double>();
            Assert.AreEqual(expected, printed, 1e-6, $"configuration {index}");
            Assert.AreEqual(printed, json["heads"]![ValidityModelFormat.FailHead]!.GetValue<double>(), line);
            Assert.AreEqual(model.Trained.Threshold, json["threshold"]!.GetValue<double>(), line);
            Assert.AreEqual(printed >= model.Trained.Threshold ? "skip" : "measure", json["verdict"]!.GetValue<string>(), line);
            CollectionAssert.AreEqual(
                model.Trained.Model.Heads.Select(h => h.Name).ToArray(),
                json["heads"]!.AsObject().Select(h => h.Key).ToArray(),
                line);
        }

        Assert.IsGreaterThan(0, compiled);
    }

    [TestMethod]
    public void IndexAndKnobsSelectTheLinesAllPrints()
    {
        var model = EdgeModel.Instance;
        var all = RunX64(["--model", model.Path, "--workload", Workload, "--all"]);
        Assert.AreEqual(0, all.ExitCode, all.ToString());
        var lines = all.OutputLines;

        var some = RunX64(["--model", model.Path, "--workload", "C11", "--board", Repository.BoardFile("sim.json"), "--index", "7", "--index", "0", "--index", "7"]);
        Assert.AreEqual(0, some.ExitCode, some.ToString());
        CollectionAssert.AreEqual(new[] { lines[7], lines[0], lines[7] }, some.OutputLines);

        var space = Templates.For(WorkloadRegistry.Resolve(Workload), Board.Default.Vta);
        var last = space.Get(space.Size - 1);
        var knobs = new JsonObject();
        foreach (var entity in last.Entity().AsArray())
        {
            var value = entity![2]!;
            knobs[entity[0]!.GetValue<string>()] = value is JsonArray split ? split[^1]!.GetValue<int>() : value.GetValue<int>();
        }

        var byKnobs = RunX64(["--model", model.Path, "--workload", Workload, "--knobs", knobs.ToJsonString()]);
        Assert.AreEqual(0, byKnobs.ExitCode, byKnobs.ToString());
        CollectionAssert.AreEqual(new[] { lines[^1] }, byKnobs.OutputLines);
    }

    [TestMethod]
    public void AMissingModelFileIsRefused()
    {
        var missing = Path.Combine(Path.GetTempPath(), "hiltuner-edge-tests-" + Guid.NewGuid().ToString("N"), "validity.onnx");
        AssertBadInput(RunX64(["--model", missing, "--workload", Workload, "--index", "0"]), missing, "does not exist");
    }

    [TestMethod]
    public void AFileThatIsNotAModelIsRefused()
    {
        var damaged = EdgeModel.Instance.File("damaged.onnx");
        File.WriteAllBytes(damaged, [.. File.ReadAllBytes(EdgeModel.Instance.Path).Take(100)]);
        AssertBadInput(RunX64(["--model", damaged, "--workload", Workload, "--index", "0"]), damaged);
    }

    [TestMethod]
    public void AModelOfAnotherVtaConfigurationIsRefused()
    {
        // The sim board with 32-wide GEMM blocks: another VTA configuration than the model was trained for.
        var json = JsonNode.Parse(File.ReadAllText(Repository.BoardFile("sim.json")))!;
        json["name"] = "test-board";
        json["vta"]!["LOG_BLOCK"] = 5;
        var path = EdgeModel.Instance.File("test-board.json");
        File.WriteAllText(path, json.ToJsonString());
        var other = Board.Load(path);
        Assert.AreNotEqual(Board.Default.Vta.ConfigString, other.Vta.ConfigString);

        var run = RunX64(["--model", EdgeModel.Instance.Path, "--board", path, "--workload", Workload, "--index", "0"]);
        AssertBadInput(run, EdgeModel.Instance.Path, Board.Default.Vta.ConfigString, other.Vta.ConfigString);
    }

    [TestMethod]
    public void AnUnknownWorkloadIsRefused() =>
        AssertBadInput(RunX64(["--model", EdgeModel.Instance.Path, "--workload", "resnet18.C99", "--all"]), "unknown workload \"resnet18.C99\"");

    [TestMethod]
    public void AnIndexOutsideTheSpaceIsRefused()
    {
        var size = Templates.For(WorkloadRegistry.Resolve(Workload), Board.Default.Vta).Size;
        var index = size.ToString(CultureInfo.InvariantCulture);
        AssertBadInput(
            RunX64(["--model", EdgeModel.Instance.Path, "--workload", Workload, "--index", "0", "--index", index]),
            $"--index {index}", "outside", $"0 to {size - 1}");
        AssertBadInput(RunX64(["--model", EdgeModel.Instance.Path, "--workload", Workload, "--index", "-1"]), "--index -1", "outside");
    }

    [TestMethod]
    public void KnobsThatAreNotAChoiceAreRefused() =>
        AssertBadInput(RunX64(["--model", EdgeModel.Instance.Path, "--workload", Workload, "--knobs", "{\"tile_h\": 3}"]), "--knobs", "tile_h = 3");

    /// <summary>A knob left out is an error naming it, not its first choice.</summary>
    [TestMethod]
    public void KnobsThatLeaveAKnobOutAreRefused() =>
        AssertBadInput(RunX64(["--model", EdgeModel.Instance.Path, "--workload", Workload, "--knobs", "{\"tile_h\": 7, \"tile_co\": 16}"]), "--knobs", "tile_b, tile_w, tile_ci, oc_nthread, h_nthread missing");

    [TestMethod]
    [DataRow(new[] { "--workload", Workload, "--all" }, "--model")]
    [DataRow(new[] { "--model", "m.onnx", "--workload", Workload }, "exactly one of")]
    [DataRow(new[] { "--model", "m.onnx", "--workload", Workload, "--all", "--index", "1" }, "exactly one of")]
    [DataRow(new[] { "--model", "m.onnx", "--workload", Workload, "--index", "abc" }, "abc")]
    public void BadOptionsAreRefused(string[] args, string fragment) => AssertBadInput(RunX64(args), fragment);

    private static ProgramRun RunX64(IEnumerable<string> args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "hiltuner-predict.dll");
        Assert.IsTrue(File.Exists(dll), $"{dll} is missing (HilTuner.Edge is referenced to put it there)");
        return ExternalProgram.Run("dotnet", [dll, .. args], ProgramTimeout);
    }

    /// <summary>Exit code 2, nothing on standard output, one line on standard error naming the input and the problem.</summary>
    private static void AssertBadInput(ProgramRun run, params string[] fragments)
    {
        Assert.AreEqual(2, run.ExitCode, run.ToString());
        Assert.AreEqual(string.Empty, run.Output, run.ToString());
        var lines = run.ErrorLines;
        Assert.HasCount(1, lines, run.ToString());
        Assert.StartsWith("hiltuner-predict: ", lines[0]);
        foreach (var fragment in fragments)
        {
            StringAssert.Contains(lines[0], fragment);
        }
    }

    private static IEnumerable<(string Name, double Value)> Probabilities(JsonObject line)
    {
        if (line["status"]!.GetValue<string>() != "compiled")
        {
            yield break;
        }

        yield return (ValidityModelFormat.FailHead, line[ValidityModelFormat.FailHead]!.GetValue<double>());
        foreach (var (name, value) in line["heads"]!.AsObject())
        {
            yield return ("heads." + name, value!.GetValue<double>());
        }
    }
}
