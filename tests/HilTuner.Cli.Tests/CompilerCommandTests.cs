using System.Text.Json;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class CompilerCommandTests
{
    [TestMethod]
    public void WorkloadsListsTheResNetLayersWithTheirSpaces()
    {
        var (exit, output, _) = Cli.Run(string.Empty, "workloads");
        Assert.AreEqual(0, exit);
        StringAssert.Contains(output, "resnet18.C11");
        StringAssert.Contains(output, "576");
        StringAssert.Contains(output, "dense_packed.vta");
    }

    [TestMethod]
    public void SpaceEnumeratesEveryConfigurationAndSummarises()
    {
        var (exit, output, error) = Cli.Run(string.Empty, "space", "--workload", "resnet18.C11", "--enumerate");
        Assert.AreEqual(0, exit, error);
        var lines = Cli.Lines(output);
        Assert.AreEqual(577, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.AreEqual(0, first.GetProperty("index").GetInt64());
        Assert.AreEqual("[[\"tile_b\",\"sp\",[-1,1]],[\"tile_h\",\"sp\",[-1,1]],[\"tile_w\",\"sp\",[-1,1]],[\"tile_ci\",\"sp\",[-1,1]],[\"tile_co\",\"sp\",[-1,1]],[\"oc_nthread\",\"ot\",1],[\"h_nthread\",\"ot\",1]]",
            first.GetProperty("entity").GetRawText().Replace(" ", string.Empty, StringComparison.Ordinal));
        var summary = JsonDocument.Parse(lines[^1]).RootElement.GetProperty("summary");
        Assert.AreEqual(576, summary.GetProperty("configurations").GetInt64());
        var counted = summary.EnumerateObject().Where(p => p.Name != "configurations").Sum(p => p.Value.GetInt64());
        Assert.AreEqual(576, counted);
        Assert.AreEqual(lines.Count(l => l.Contains("\"status\":\"ok\"", StringComparison.Ordinal)), summary.GetProperty("ok").GetInt64());

        // Compiled programs VTA's runtime refuses on the host (VerifyDep) are runtime errors named by the check, as a
        // measurement records them; C11 #2 is one.
        Assert.AreEqual(8, summary.GetProperty("runtime_error:VerifyDep").GetInt64());
        var refused = JsonDocument.Parse(lines[2]).RootElement;
        Assert.AreEqual("runtime_error", refused.GetProperty("status").GetString());
        StringAssert.StartsWith(refused.GetProperty("error").GetString(), "runtime check: VerifyDep: micro-op kernel");
    }

    /// <summary>JSON a person reads writes <c>'</c> as itself, and <c>"</c> as <c>\"</c>, not as <c>\u0027</c> / <c>\u0022</c>.</summary>
    [TestMethod]
    public void SpaceAndSimRunWriteQuotesAsTheyAre()
    {
        // C11 #4 does not compile, and its error quotes VTA's own message.
        var (exit, output, error) = Cli.Run(string.Empty, "space", "--workload", "resnet18.C11", "--enumerate");
        Assert.AreEqual(0, exit, error);
        var line = Cli.Lines(output)[4];
        StringAssert.Contains(line, "VTA's DMA pads only the rows and columns of a 2-D transfer (\\\"Do not support pad on the innermost block\\\")");

        var (simExit, sim, simError) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", "--index", "4");
        Assert.AreEqual(0, simExit, simError);
        StringAssert.Contains(sim, "VTA's DMA");
        Assert.IsFalse(sim.Contains("\\u0027", StringComparison.Ordinal) || sim.Contains("\\u0022", StringComparison.Ordinal), sim);
    }

    [TestMethod]
    public void SimRunCompilesSimulatesAndChecks()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-simrun-");
        try
        {
            var outputFile = Path.Combine(dir.FullName, "out.bin");
            var (exit, output, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", "--index", "241", "--seed", "3",
                "--dump-inputs", dir.FullName, "--dump-output", outputFile);
            Assert.AreEqual(0, exit, error);
            var r = JsonDocument.Parse(output).RootElement;
            Assert.AreEqual("ok", r.GetProperty("status").GetString());
            Assert.AreEqual(0, r.GetProperty("error_no").GetInt32());
            Assert.AreEqual("match", r.GetProperty("check").GetString());
            Assert.IsTrue(r.GetProperty("cycles").GetInt64() > 0);
            var seconds = r.GetProperty("seconds").GetDouble();
            Assert.AreEqual(231_211_008 / seconds / 1e9, r.GetProperty("gflops").GetDouble(), 1e-6);
            Assert.AreEqual(1458, r.GetProperty("features").GetProperty("insn_total").GetDouble());

            // Anyone can check the dumped result with their own reference: the dumps are plain NCHW / OIHW / int32.
            Assert.AreEqual(512 * 7 * 7, new FileInfo(Path.Combine(dir.FullName, "data.bin")).Length);
            Assert.AreEqual(512 * 512 * 9, new FileInfo(Path.Combine(dir.FullName, "weight.bin")).Length);
            Assert.AreEqual(512 * 4, new FileInfo(Path.Combine(dir.FullName, "bias.bin")).Length);
            var data = File.ReadAllBytes(Path.Combine(dir.FullName, "data.bin")).Select(b => (sbyte)b).ToArray();
            var weight = File.ReadAllBytes(Path.Combine(dir.FullName, "weight.bin")).Select(b => (sbyte)b).ToArray();
            var bias = new int[512];
            Buffer.BlockCopy(File.ReadAllBytes(Path.Combine(dir.FullName, "bias.bin")), 0, bias, 0, 512 * 4);
            var result = File.ReadAllBytes(outputFile).Select(b => (sbyte)b).ToArray();
            foreach (var (o, y, x) in new[] { (0, 0, 0), (17, 3, 4), (511, 6, 6) })
            {
                var sum = 0;
                for (var i = 0; i < 512; i++)
                {
                    for (var dy = 0; dy < 3; dy++)
                    {
                        for (var dx = 0; dx < 3; dx++)
                        {
                            var (iy, ix) = (y + dy - 1, x + dx - 1);
                            if (iy is >= 0 and < 7 && ix is >= 0 and < 7)
                            {
                                sum += data[(((i * 7) + iy) * 7) + ix] * weight[(((((o * 512) + i) * 3) + dy) * 3) + dx];
                            }
                        }
                    }
                }

                Assert.AreEqual((sbyte)Math.Clamp((sum >> 8) + bias[o], 0, 127), result[(((o * 7) + y) * 7) + x], $"output ({o}, {y}, {x})");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>--dump-output does not silently replace a file: refused before the run (unless --force), and never an input.</summary>
    [TestMethod]
    public void SimRunDoesNotOverwriteAnExistingDumpWithoutForce()
    {
        var dir = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "out.bin");
        File.WriteAllText(file, "keep me");
        var (exit, output, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "dense.512", "--index", "5", "--dump-output", file);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, $"--dump-output {file} already exists: choose another file, or pass --force to replace it");
        Assert.AreEqual(string.Empty, output);
        Assert.AreEqual("keep me", File.ReadAllText(file));

        var board = Path.Combine(dir, "board.json");
        File.Copy(Cli.Board("sim.json"), board);
        (exit, _, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "dense.512", "--index", "5", "--board", board, "--dump-output", board, "--force");
        Assert.AreEqual(2, exit, error);
        StringAssert.Contains(error, "is also the --board it reads");

        (exit, _, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "dense.512", "--index", "5", "--dump-output", file, "--force");
        Assert.AreEqual(0, exit, error);
        Assert.AreNotEqual("keep me", File.ReadAllText(file));
    }

    [TestMethod]
    public void SimRunReportsAFailingConfigurationsStatus()
    {
        var (_, compileOutput, _) = Cli.Run(string.Empty, "sim", "run", "--workload", "C11", "--knobs", """{"tile_b": 1, "tile_h": 1, "tile_w": 1, "tile_ci": 2, "tile_co": 1, "oc_nthread": 1, "h_nthread": 1}""");
        var compile = JsonDocument.Parse(compileOutput).RootElement;
        Assert.AreEqual(("compile_error", 2), (compile.GetProperty("status").GetString(), compile.GetProperty("error_no").GetInt32()));
        Assert.AreEqual(0.0, compile.GetProperty("gflops").GetDouble());

        // A wrong answer needs a board whose accumulator pipeline is deeper than the runtime's guard (none on the default board).
        var (_, wrongOutput, _) = Cli.Run(string.Empty, "sim", "run", "--workload", "C11", "--index", "3", "--board", HilTuner.Tests.Shared.Repository.DeepPipelineBoardFile);
        var wrong = JsonDocument.Parse(wrongOutput).RootElement;
        Assert.AreEqual(("wrong_answer", 5, "mismatch"), (wrong.GetProperty("status").GetString(), wrong.GetProperty("error_no").GetInt32(), wrong.GetProperty("check").GetString()));
    }

    [TestMethod]
    [DataRow("--index", "576", "--index: the conv2d_packed.vta space has indices 0 to 575")]
    [DataRow("--knobs", "{\"tile_h\": 3}", "--knobs: tile_h = 3 is not one of its choices (1, 7)")]
    [DataRow("--knobs", "{\"tile_h\": [1, \"x\"]}", "--knobs: tile_h must be a whole number")]
    [DataRow("--knobs", "[[\"tile_h\", \"sp\", []]]", "--knobs: tile_h must be a whole number or a split list ending in one")]
    [DataRow("--knobs", "[[\"tile_h\", \"sp\", null]]", "--knobs: tile_h must be a whole number or a split list ending in one")]
    [DataRow("--knobs", "[[7, \"sp\", [1, 7]]]", "--knobs: an entity list holds [name, type, value] triples")]
    [DataRow("--knobs", "{}", "--knobs: tile_b, tile_h, tile_w, tile_ci, tile_co, oc_nthread, h_nthread missing; give every knob of the conv2d_packed.vta space")]
    [DataRow("--knobs", "{\"tile_h\": 7, \"tile_co\": 16}", "--knobs: tile_b, tile_w, tile_ci, oc_nthread, h_nthread missing")]
    public void ABadConfigurationIsOneLineAndExitCodeTwo(string option, string value, string message)
    {
        var (exit, _, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", option, value);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, message);
    }

    /// <summary>A workload the accelerator cannot hold (100 features do not pack into 16-wide blocks) is one line.</summary>
    [TestMethod]
    public void AnUnpackableWorkloadIsOneLineAndExitCodeTwo()
    {
        var (exit, _, error) = Cli.Run(string.Empty, "space", "--workload", "{\"op\": \"dense\", \"in_features\": 100, \"out_features\": 100}");
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.StartsWith(error, "hiltuner: workload ");
    }

    /// <summary>A layer named as VTA's benchmarks name it (<c>resnet-18.C11</c>) is the same layer wherever a workload is named.</summary>
    [TestMethod]
    public void VtasBenchmarkNameOfALayerIsAccepted()
    {
        var (exit, output, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet-18.C11", "--index", "241");
        Assert.AreEqual(0, exit, error);
        var (_, canonical, _) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", "--index", "241");
        Assert.AreEqual(canonical, output);
        var (spaceExit, space, spaceError) = Cli.Run(string.Empty, "space", "--workload", "resnet-18.C11");
        Assert.AreEqual(0, spaceExit, spaceError);
        StringAssert.Contains(space, "resnet18.C11");
    }

    /// <summary>VTA's own vta_config.json is a board file: the rest comes from its TARGET's board, said in one line on stderr.</summary>
    [TestMethod]
    public void VtasConfigFileIsABoardFile()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-vta-config-");
        try
        {
            var file = Path.Combine(dir.FullName, "vta_config.json");
            File.WriteAllText(file, """
                {
                  "TARGET" : "pynq", "HW_VER" : "0.0.1",
                  "LOG_INP_WIDTH" : 3, "LOG_WGT_WIDTH" : 3, "LOG_ACC_WIDTH" : 5, "LOG_BATCH" : 0, "LOG_BLOCK" : 4,
                  "LOG_UOP_BUFF_SIZE" : 15, "LOG_INP_BUFF_SIZE" : 15, "LOG_WGT_BUFF_SIZE" : 18, "LOG_ACC_BUFF_SIZE" : 17,
                  "ACC_DEP_DISTANCE" : 3
                }
                """);
            var (exit, output, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", "--index", "241", "--board", file);
            Assert.AreEqual(0, exit, error);
            Assert.HasCount(1, Cli.Lines(error), error);
            StringAssert.StartsWith(error, $"hiltuner: {file}: a bare VTA configuration (TARGET pynq): clock 100 MHz, registers, hardware limits and timing assumed from boards/pynq-z1.json (pynq-z1)");
            var onPynq = JsonDocument.Parse(Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", "--index", "241", "--board", Cli.Board("pynq-z1.json")).Out).RootElement;
            var r = JsonDocument.Parse(output).RootElement;
            Assert.AreEqual("pynq-z1", r.GetProperty("board").GetString());
            Assert.AreEqual(onPynq.GetProperty("cycles").GetInt64(), r.GetProperty("cycles").GetInt64());
            Assert.AreEqual(onPynq.GetProperty("seconds").GetDouble(), r.GetProperty("seconds").GetDouble());
            Assert.AreEqual("match", r.GetProperty("check").GetString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void AnUnknownWorkloadIsOneLineAndExitCodeTwo()
    {
        var (exit, _, error) = Cli.Run(string.Empty, "space", "--workload", "resnet50.C1");
        Assert.AreEqual(2, exit);
        StringAssert.StartsWith(error, "hiltuner: unknown workload \"resnet50.C1\"");
    }
}
