using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Tests.Shared;
using HilTuner.Tuning.Performance;
using HilTuner.Validity;
using HilTuner.Vta.Config;

namespace HilTuner.Edge.Tests;

[TestClass]
public sealed class EdgePredictorTests
{
    private const string Workload = "resnet18.C11";

    /// <summary>A layer the model was not trained on: its probabilities are fractions, not 0 or 1.</summary>
    private const string UnseenWorkload = "resnet18.C10";

    /// <summary>How far the managed evaluator's probabilities may be from OnnxRuntime's (which approximates the sigmoid).</summary>
    private const double ManagedTolerance = 1e-6;

    private static readonly TimeSpan ProgramTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The emulated run compiles and predicts every configuration of the space, JIT and all, under qemu.</summary>
    private static readonly TimeSpan EmulatedTimeout = TimeSpan.FromMinutes(10);

    public TestContext TestContext { get; set; } = null!;

    [ClassCleanup]
    public static void Cleanup()
    {
        Arm64Build.Delete();
        LinuxArmBuild.Delete();
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
        var lines = CompareBuilds(UnseenWorkload);
        AssertFractions(lines);
    }

    [TestMethod]
    public void TheArm64BuildIsTrimmedRunsOnnxRuntimeAndCarriesNoDebugFiles()
    {
        var folder = Arm64Build.Directory;
        var files = new DirectoryInfo(folder).GetFiles();
        var megabytes = files.Sum(f => f.Length) / 1e6;
        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"linux-arm64: {files.Length} files, {megabytes:F1} MB"));
        Assert.AreEqual(nameof(Onnx.TreeEngine.OnnxRuntime), EdgePublish.Engine(folder));
        Assert.IsTrue(files.Any(f => f.Name == "libonnxruntime.so"), "the arm64 build carries OnnxRuntime's native library");
        Assert.IsFalse(files.Any(f => f.Extension is ".pdb" or ".dbg"), string.Join(", ", files.Where(f => f.Extension is ".pdb" or ".dbg").Select(f => f.Name)));

        // Untrimmed, the folder held the whole runtime: 112 MB in 207 files.
        Assert.IsLessThan(60, megabytes, "the linux-arm64 build is not trimmed");
        Assert.IsLessThan(100, files.Length, "the linux-arm64 build is not trimmed");
    }

    [TestMethod]
    public void TheLinuxArmBuildRunsTheManagedEvaluatorAndPrintsWhatTheX64BuildPrints()
    {
        var folder = LinuxArmBuild.Directory;
        var files = new DirectoryInfo(folder).GetFiles();
        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture, $"linux-arm: {files.Length} files, {files.Sum(f => f.Length) / 1e6:F1} MB"));
        Assert.AreEqual(nameof(Onnx.TreeEngine.Managed), EdgePublish.Engine(folder), "the linux-arm build must not ask OnnxRuntime, which has no 32-bit ARM library");
        Assert.IsFalse(files.Any(f => f.Name.StartsWith("libonnxruntime", StringComparison.Ordinal) || f.Extension is ".pdb" or ".so"), string.Join(", ", files.Select(f => f.Name)));

        var lines = CompareWithX64(Workload, "linux-arm", args => LinuxArmBuild.Run(args, ProgramTimeout), ManagedTolerance);
        Assert.IsTrue(lines.Any(l => l.Contains("\"skip\"", StringComparison.Ordinal)), "no configuration is predicted to fail");
        AssertFractions(CompareWithX64(UnseenWorkload, "linux-arm", args => LinuxArmBuild.Run(args, ProgramTimeout), ManagedTolerance));
    }

    [TestMethod]
    public void TheManagedEvaluatorOnArmUnderQemuPrintsWhatTheX64BuildPrints()
    {
        // No .NET runtime for 32-bit ARM is served here: the managed engine runs on an ARM CPU in the arm64 build.
        Arm64Build.RequireEmulator();
        var managed = EdgePublish.WithEngine(Arm64Build.Directory, nameof(Onnx.TreeEngine.Managed));
        AssertFractions(CompareWithX64(UnseenWorkload, "arm64 (managed engine)", args => Arm64Build.Run(args, EmulatedTimeout, managed), ManagedTolerance));
    }

    [TestMethod]
    public void TheAgentOnArmUnderQemuPrintsWhatOnnxRuntimePrintsOnX64()
    {
        // PYNQ-Z1/Z2 and DE10-Nano run 32-bit ARM Linux, for which neither OnnxRuntime nor a .NET runtime is served:
        // the board agent reads the same ONNX file and evaluates it in C, on the rows hiltuner-predict --features wrote.
        var lines = CompareAgentWithX64(Workload, "armhf agent", ArmAgent.RunArm);
        Assert.IsTrue(lines.Any(l => l.Contains("\"skip\"", StringComparison.Ordinal)), "no configuration is predicted to fail");
        Assert.IsTrue(lines.Any(l => l.Contains("\"measure\"", StringComparison.Ordinal)), "every configuration is predicted to fail");
        AssertFractions(CompareAgentWithX64(UnseenWorkload, "armhf agent", ArmAgent.RunArm));
        AssertFractions(CompareAgentWithX64(UnseenWorkload, "host agent", ArmAgent.RunHost));
    }

    [TestMethod]
    public void TheAgentRefusesADamagedModelAndRowsMadeForAnotherModel()
    {
        var model = EdgeModel.Instance;
        var rows = RowsFor(UnseenWorkload);
        var damaged = model.File("damaged.onnx");
        var bytes = File.ReadAllBytes(model.Path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(damaged, bytes);
        AssertAgentBadInput(ArmAgent.RunArm(["predict", "--model", damaged, "--rows", rows], ProgramTimeout), damaged, "SHA-256 checksum");

        var truncated = model.File("truncated.onnx");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 3)]);
        AssertAgentBadInput(ArmAgent.RunArm(["predict", "--model", truncated, "--rows", rows], ProgramTimeout), truncated);

        var otherRows = model.File("other-rows.csv");
        File.WriteAllLines(otherRows, File.ReadAllLines(rows).Select((l, i) => i == 0 ? l.Replace(",shape.batch,", ",shape.batches,", StringComparison.Ordinal) : l));
        AssertAgentBadInput(ArmAgent.RunArm(["predict", "--model", model.Path, "--rows", otherRows], ProgramTimeout), otherRows, "line 1", "column 2");

        var shortRow = model.File("short-row.csv");
        File.WriteAllLines(shortRow, File.ReadAllLines(rows).Take(2).Select((l, i) => i == 1 ? l[..l.LastIndexOf(',')] : l));
        AssertAgentBadInput(ArmAgent.RunArm(["predict", "--model", model.Path, "--rows", shortRow], ProgramTimeout), shortRow, "line 2", "values");
    }

    /// <summary>hiltuner-predict's rows of every configuration of <paramref name="workload"/> that compiles, in a file.</summary>
    private static string RowsFor(string workload)
    {
        var run = RunX64(["--model", EdgeModel.Instance.Path, "--workload", workload, "--all", "--features"]);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        var path = EdgeModel.Instance.File(workload + ".rows.csv");
        File.WriteAllText(path, run.Output);
        return path;
    }

    /// <summary>
    /// The agent's line for every configuration that compiles against the x64 build's (OnnxRuntime): the same
    /// configurations, heads, threshold and verdicts, probabilities within <see cref="ManagedTolerance"/>. Returns the
    /// x64 lines of those configurations.
    /// </summary>
    private string[] CompareAgentWithX64(string workload, string agent, Func<string[], TimeSpan, ProgramRun> runAgent)
    {
        var x64 = RunX64(["--model", EdgeModel.Instance.Path, "--workload", workload, "--all"]);
        Assert.AreEqual(0, x64.ExitCode, x64.ToString());
        var expected = x64.OutputLines.Select(l => JsonNode.Parse(l)!.AsObject()).Where(l => l["status"]!.GetValue<string>() == "compiled").ToList();

        var run = runAgent(["predict", "--model", EdgeModel.Instance.Path, "--rows", RowsFor(workload)], ProgramTimeout);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        Assert.AreEqual(string.Empty, run.Error, run.ToString());
        var lines = run.OutputLines;
        Assert.HasCount(expected.Count, lines, $"{agent}: one line per configuration that compiles");

        var maxDifference = 0.0;
        for (var i = 0; i < lines.Length; i++)
        {
            var a = expected[i];
            var b = JsonNode.Parse(lines[i])!.AsObject();
            Assert.AreEqual(a["index"]!.GetValue<long>(), b["index"]!.GetValue<long>(), $"{agent} line {i}");
            Assert.AreEqual(a["threshold"]!.GetValue<double>(), b["threshold"]!.GetValue<double>(), $"{agent} line {i}: threshold");
            Assert.AreEqual(a["verdict"]!.GetValue<string>(), b["verdict"]!.GetValue<string>(), $"{agent} line {i}: verdict\n{a}\n{b}");
            var pa = Probabilities(a).ToList();
            var agentLine = b.DeepClone().AsObject();
            agentLine["status"] = "compiled"; // the agent's lines are all of compiled configurations
            var pb = Probabilities(agentLine).ToList();
            CollectionAssert.AreEqual(pa.Select(p => p.Name).ToList(), pb.Select(p => p.Name).ToList(), $"{agent} line {i}: heads");
            for (var k = 0; k < pa.Count; k++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(pa[k].Value - pb[k].Value));
            }
        }

        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{workload}: {lines.Length} configurations that compile; max |x64 (OnnxRuntime) - {agent}| = {maxDifference:R}; {agent} run {run.Elapsed.TotalSeconds:F2} s"));
        Assert.IsLessThanOrEqualTo(ManagedTolerance, maxDifference, $"{agent} probabilities differ from OnnxRuntime's by {maxDifference:R}");
        return [.. expected.Select(l => l.ToJsonString())];
    }

    /// <summary>Exit code 2, nothing on standard output, one line naming the input and the problem.</summary>
    private static void AssertAgentBadInput(ProgramRun run, params string[] fragments)
    {
        Assert.AreEqual(2, run.ExitCode, run.ToString());
        Assert.AreEqual(string.Empty, run.Output, run.ToString());
        Assert.HasCount(1, run.ErrorLines, run.ToString());
        Assert.StartsWith("vta-agent predict: ", run.ErrorLines[0]);
        foreach (var fragment in fragments)
        {
            StringAssert.Contains(run.ErrorLines[0], fragment);
        }
    }

    [TestMethod]
    public void AnEngineTheProgramDoesNotKnowIsRefused()
    {
        var copy = EdgePublish.WithEngine(LinuxArmBuild.Directory, "Fast");
        AssertBadInput(
            LinuxArmBuild.Run(["--model", EdgeModel.Instance.Path, "--workload", Workload, "--index", "0"], ProgramTimeout, copy),
            "hiltuner-predict.runtimeconfig.json", Predict.EngineOption, "\"Fast\"", "OnnxRuntime, Managed");
    }

    /// <summary>
    /// Runs the x64 and the arm64 build on every configuration of <paramref name="workload"/> and asserts that they
    /// print the same lines, digit for digit; returns the lines.
    /// </summary>
    private string[] CompareBuilds(string workload)
    {
        Arm64Build.RequireEmulator();
        _ = Arm64Build.Directory;
        return CompareWithX64(workload, "arm64", args => Arm64Build.Run(args, EmulatedTimeout), 0);
    }

    /// <summary>
    /// Runs the x64 build (OnnxRuntime) and <paramref name="other"/> on every configuration of
    /// <paramref name="workload"/> and asserts that they print the same lines: digit for digit when
    /// <paramref name="tolerance"/> is 0, otherwise the same but for probabilities at most that far apart. Returns the
    /// x64 lines.
    /// </summary>
    private string[] CompareWithX64(string workload, string other, Func<string[], ProgramRun> runOther, double tolerance)
    {
        var clock = Stopwatch.StartNew();
        var model = EdgeModel.Instance;
        var trainTime = clock.Elapsed;
        string[] args = ["--model", model.Path, "--workload", workload, "--all"];

        var x64 = RunX64(args);
        Assert.AreEqual(0, x64.ExitCode, x64.ToString());
        Assert.AreEqual(string.Empty, x64.Error, x64.ToString());

        var otherRun = runOther(args);
        Assert.AreEqual(0, otherRun.ExitCode, otherRun.ToString());
        Assert.AreEqual(string.Empty, otherRun.Error, otherRun.ToString());

        var space = Templates.For(WorkloadRegistry.Resolve(workload), Repository.UncalibratedBoard.Vta);
        var x64Lines = x64.OutputLines;
        var otherLines = otherRun.OutputLines;
        Assert.HasCount((int)space.Size, x64Lines, "x64: one line per configuration");
        Assert.HasCount((int)space.Size, otherLines, $"{other}: one line per configuration");

        var maxDifference = 0.0;
        var values = 0;
        var differing = new List<string>();
        for (var i = 0; i < x64Lines.Length; i++)
        {
            var a = JsonNode.Parse(x64Lines[i])!.AsObject();
            var b = JsonNode.Parse(otherLines[i])!.AsObject();
            Assert.AreEqual((long)i, a["index"]!.GetValue<long>(), $"x64 line {i}");
            Assert.AreEqual((long)i, b["index"]!.GetValue<long>(), $"{other} line {i}");
            var pa = Probabilities(a).ToList();
            var pb = Probabilities(b).ToList();
            CollectionAssert.AreEqual(pa.Select(p => p.Name).ToList(), pb.Select(p => p.Name).ToList(), $"configuration {i}: x64 and {other} print different heads");
            var lineDifference = 0.0;
            for (var k = 0; k < pa.Count; k++)
            {
                values++;
                lineDifference = Math.Max(lineDifference, Math.Abs(pa[k].Value - pb[k].Value));
            }

            maxDifference = Math.Max(maxDifference, lineDifference);
            var same = tolerance == 0 ? x64Lines[i] == otherLines[i] : lineDifference <= tolerance && WithoutProbabilities(a) == WithoutProbabilities(b);
            if (!same)
            {
                differing.Add($"x64:   {x64Lines[i]}\n{other}: {otherLines[i]}");
            }
        }

        TestContext.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{workload}: {space.Size} configurations, {values} probabilities; max |x64 - {other}| = {maxDifference:R}; lines differing: {differing.Count}; " +
            $"model ready after {trainTime.TotalSeconds:F1} s, x64 run {x64.Elapsed.TotalSeconds:F1} s, " +
            $"arm64 publish {Arm64Build.PublishTime.TotalSeconds:F1} s, {other} run {otherRun.Elapsed.TotalSeconds:F1} s"));

        // The same configurations, statuses, errors, thresholds and verdicts; probabilities digit for digit, or within
        // the tolerance.
        Assert.IsEmpty(differing, string.Create(CultureInfo.InvariantCulture,
            $"{differing.Count} lines differ between the x64 and the {other} build beyond {tolerance:R} (max probability difference {maxDifference:R}); first:\n{differing.FirstOrDefault()}"));
        return x64Lines;
    }

    /// <summary>Some probability strictly between 0 and 1, or the comparison would prove little.</summary>
    private static void AssertFractions(string[] lines)
    {
        var fractions = lines.SelectMany(l => Probabilities(JsonNode.Parse(l)!.AsObject())).Count(p => p.Value is > 0 and < 1);
        Assert.IsGreaterThan(0, fractions, "no probability strictly between 0 and 1: the comparison would prove little");
    }

    /// <summary>A line without its probabilities (workload, index, status, error, threshold, verdict).</summary>
    private static string WithoutProbabilities(JsonObject line)
    {
        var copy = line.DeepClone().AsObject();
        copy.Remove(ValidityModelFormat.FailHead);
        copy.Remove("heads");
        return copy.ToJsonString();
    }

    [TestMethod]
    public void TheProgramComputesTheRowsTheModelWasTrainedOn()
    {
        // The x64 build's p_fail against the in-memory trees on rows computed here: same features, same arithmetic.
        var model = EdgeModel.Instance;
        var run = RunX64(["--model", model.Path, "--workload", Workload, "--all"]);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        var board = Repository.UncalibratedBoard;
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

        var some = RunX64(["--model", model.Path, "--workload", "C11", "--board", Repository.UncalibratedBoardFile, "--index", "7", "--index", "0", "--index", "7"]);
        Assert.AreEqual(0, some.ExitCode, some.ToString());
        CollectionAssert.AreEqual(new[] { lines[7], lines[0], lines[7] }, some.OutputLines);

        var space = Templates.For(WorkloadRegistry.Resolve(Workload), Repository.UncalibratedBoard.Vta);
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

    /// <summary>The lines are for people too: <c>'</c> and <c>"</c> as JSON allows them, not <c>\u0027</c> / <c>\u0022</c>.</summary>
    [TestMethod]
    public void ACompileErrorIsWrittenWithItsQuotesAsTheyAre()
    {
        var run = RunX64(["--model", EdgeModel.Instance.Path, "--workload", Workload, "--index", "4"]);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        var line = run.OutputLines.Single();
        StringAssert.Contains(line, "VTA's DMA pads only the rows and columns of a 2-D transfer (\\\"Do not support pad on the innermost block\\\")");
        Assert.AreEqual("compile_error", JsonNode.Parse(line)!["status"]!.GetValue<string>());
    }

    /// <summary>LANN trained on the edge model's measured configurations, saved beside it.</summary>
    private static readonly Lazy<(Onnx.MlpRegressor Network, string Path)> s_performance = new(() =>
    {
        var network = PerformanceNetworks.Train(PerformanceNetworks.Lann, [.. PerformanceNetworks.Timed(EdgeModel.Instance.Examples).Take(250)], Board.Default);
        var path = EdgeModel.Instance.File("lann.onnx");
        network.Save(path);
        return (network, path);
    });

    private static readonly string[] PerformanceArgs = ["--workload", Workload, "--index", "0", "--index", "4", "--index", "100", "--index", "243", "--index", "500"];

    [TestMethod]
    public void APerformanceModelPrintsTheSecondsItsTrainingSideComputes()
    {
        var (network, path) = s_performance.Value;
        var run = RunX64(["--model", path, .. PerformanceArgs]);
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        var board = Board.Default;
        var workload = WorkloadRegistry.Resolve(Workload);
        var space = Templates.For(workload, board.Vta);
        var compiled = 0;
        foreach (var line in run.OutputLines)
        {
            var json = JsonNode.Parse(line)!.AsObject();
            if (VtaCompiler.Compile(workload, space.Get(json["index"]!.GetValue<long>()), board).Program is not { } program)
            {
                Assert.AreEqual("compile_error", json["status"]!.GetValue<string>(), line);
                continue;
            }

            compiled++;
            var expected = network.Predict(PerformanceNetworks.Lann.Select(ProgramFeatures.Of(program, board)));
            Assert.AreEqual(expected, json["seconds"]!.GetValue<double>(), 1e-5 * expected, line);
        }

        Assert.IsGreaterThan(0, compiled);
    }

    [TestMethod]
    public void TheArm64BuildUnderQemuPrintsThePerformanceModelsSecondsAsTheX64BuildDoes()
    {
        Arm64Build.RequireEmulator();
        string[] args = ["--model", s_performance.Value.Path, .. PerformanceArgs];
        var x64 = RunX64(args);
        var arm = Arm64Build.Run(args, EmulatedTimeout);
        Assert.AreEqual(0, arm.ExitCode, arm.ToString());
        var a = x64.OutputLines.Select(l => JsonNode.Parse(l)!["seconds"]?.GetValue<double>()).ToList();
        var b = arm.OutputLines.Select(l => JsonNode.Parse(l)!["seconds"]?.GetValue<double>()).ToList();
        Assert.HasCount(5, a);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.AreEqual(a[i] is null, b[i] is null, $"line {i}");
            if (a[i] is { } sa)
            {
                Assert.AreEqual(sa, b[i]!.Value, 1e-6 * sa, $"line {i}: x64 {x64.OutputLines[i]}, arm64 {arm.OutputLines[i]}");
            }
        }
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
        var json = JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!;
        json["name"] = "test-board";
        json["vta"]!["LOG_BLOCK"] = 5;
        var path = EdgeModel.Instance.File("test-board.json");
        File.WriteAllText(path, json.ToJsonString());
        var other = Board.Load(path);
        Assert.AreNotEqual(Repository.UncalibratedBoard.Vta.ConfigString, other.Vta.ConfigString);

        var run = RunX64(["--model", EdgeModel.Instance.Path, "--board", path, "--workload", Workload, "--index", "0"]);
        AssertBadInput(run, EdgeModel.Instance.Path, Repository.UncalibratedBoard.Vta.ConfigString, other.Vta.ConfigString);
    }

    [TestMethod]
    public void AnUnknownWorkloadIsRefused() =>
        AssertBadInput(RunX64(["--model", EdgeModel.Instance.Path, "--workload", "resnet18.C99", "--all"]), "unknown workload \"resnet18.C99\"");

    [TestMethod]
    public void AnIndexOutsideTheSpaceIsRefused()
    {
        var size = Templates.For(WorkloadRegistry.Resolve(Workload), Repository.UncalibratedBoard.Vta).Size;
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
