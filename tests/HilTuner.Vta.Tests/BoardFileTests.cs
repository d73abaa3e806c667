using System.Text.Json.Nodes;
using HilTuner.Vta.Config;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class BoardFileTests
{
    [TestMethod]
    [DataRow("sim.json", "pynq", 100.0, 64, HardwareBuild.Hls, 8192)]
    [DataRow("pynq-z1.json", "pynq", 100.0, 64, HardwareBuild.Hls, 8192)]
    [DataRow("ultra96-v2.json", "ultra96", 333.0, 128, HardwareBuild.Hls, 8192)]
    [DataRow("zcu104.json", "zcu104", 333.0, 128, HardwareBuild.Hls, 8192)]
    [DataRow("de10-nano.json", "de10nano", 100.0, 64, HardwareBuild.Chisel, 2048)]
    public void EveryShippedBoardLoads(string file, string target, double clock, int bus, HardwareBuild build, int uops)
    {
        var board = TestBoards.Load(file);
        Assert.AreEqual(target, board.Vta.Target);
        Assert.AreEqual(clock, board.Fabric.ClockMhz);
        Assert.AreEqual(bus, board.Fabric.AxiDataBusBits);
        Assert.AreEqual(build, board.Hardware.Build);
        Assert.AreEqual(uops, board.Hardware.UopBufferDepth);
        Assert.AreEqual("1x16_i8w8a32_15_15_18_17", board.Vta.ConfigString);
        Assert.AreEqual(TestBoards.PathOf(file), board.Source);
    }

    [TestMethod]
    public void TheEmbeddedDefaultIsBoardsSimJson()
    {
        var embedded = Board.Default;
        var onDisk = TestBoards.Load("sim.json");
        Assert.AreEqual("embedded:sim.json", embedded.Source);
        Assert.AreEqual(onDisk.Vta, embedded.Vta);
        Assert.AreEqual(onDisk.Hardware, embedded.Hardware);
        Assert.AreEqual(onDisk.Timing, embedded.Timing);
        Assert.AreEqual(onDisk.Registers, embedded.Registers);
        Assert.IsNull(embedded.Link);
    }

    /// <summary>VTA's own <c>config/vta_config.json</c>, as apache/tvm-vta ships it (TARGET sim, ACC_DEP_DISTANCE included).</summary>
    private const string VtasConfig = """
        {
          "TARGET" : "sim",
          "HW_VER" : "0.0.1",
          "LOG_INP_WIDTH" : 3,
          "LOG_WGT_WIDTH" : 3,
          "LOG_ACC_WIDTH" : 5,
          "LOG_BATCH" : 0,
          "LOG_BLOCK" : 4,
          "LOG_UOP_BUFF_SIZE" : 15,
          "LOG_INP_BUFF_SIZE" : 15,
          "LOG_WGT_BUFF_SIZE" : 18,
          "LOG_ACC_BUFF_SIZE" : 17,
          "ACC_DEP_DISTANCE" : 3
        }
        """;

    [TestMethod]
    public void VtasOwnConfigFileIsABoardOnTheDefaultBoardOfItsTarget()
    {
        var board = Board.Parse(VtasConfig, "vta_config.json");
        Assert.AreEqual("1x16_i8w8a32_15_15_18_17", board.Vta.ConfigString);
        Assert.AreEqual(("sim", "0.0.1"), (board.Vta.Target, board.Vta.HwVer));
        Assert.AreEqual(Board.Default.Fabric, board.Fabric);
        Assert.AreEqual(Board.Default.Hardware, board.Hardware);
        Assert.AreEqual(Board.Default.Timing, board.Timing);
        Assert.AreEqual(Board.Default.Registers, board.Registers);
        Assert.AreEqual(("sim", "vta_config.json"), (board.Name, board.Source));
        StringAssert.StartsWith(board.Assumption, "vta_config.json: a bare VTA configuration (TARGET sim): clock 100 MHz, registers, hardware limits and timing assumed from boards/sim.json (sim); no link, ACC_DEP_DISTANCE not used");
        Assert.IsNull(TestBoards.Load("sim.json").Assumption);
    }

    [TestMethod]
    [DataRow("pynq", "pynq-z1.json")]
    [DataRow("ultra96", "ultra96-v2.json")]
    [DataRow("de10nano", "de10-nano.json")]
    public void ABareConfigTakesTheRestFromItsTargetsBoardFileWithoutItsLink(string target, string file)
    {
        var shipped = TestBoards.Load(file);
        var board = Board.Parse(VtasConfig.Replace("\"sim\"", $"\"{target}\"", StringComparison.Ordinal), "vta_config.json");
        Assert.AreEqual((shipped.Fabric, shipped.Hardware, shipped.Timing, shipped.Registers), (board.Fabric, board.Hardware, board.Timing, board.Registers));
        Assert.AreEqual(shipped.Name, board.Name);
        Assert.IsNull(board.Link);
        Assert.IsNull(board.Reset);
        StringAssert.Contains(board.Assumption, $"assumed from boards/{file} ({shipped.Name})");
    }

    /// <summary>Another configuration than the base board's gets a name of its own, and a micro-op buffer it can hold.</summary>
    [TestMethod]
    public void ABareConfigOfAnotherShapeIsNamedForItAndKeepsItsLimitsConsistent()
    {
        var board = Board.Parse(VtasConfig.Replace("\"LOG_BLOCK\" : 4", "\"LOG_BLOCK\" : 5", StringComparison.Ordinal)
            .Replace("\"LOG_UOP_BUFF_SIZE\" : 15", "\"LOG_UOP_BUFF_SIZE\" : 13", StringComparison.Ordinal)
            .Replace("\"LOG_WGT_BUFF_SIZE\" : 18", "\"LOG_WGT_BUFF_SIZE\" : 19", StringComparison.Ordinal), "small.json");
        Assert.AreEqual(5, board.Vta.LogBlock);
        Assert.AreEqual($"sim-{board.Vta.ConfigString}", board.Name);
        Assert.AreEqual(board.Vta.UopBuffDepth, board.Hardware.UopBufferDepth);
        Assert.IsLessThan(Board.Default.Hardware.UopBufferDepth, board.Hardware.UopBufferDepth);
        StringAssert.Contains(board.Assumption, $"micro-op buffer {board.Vta.UopBuffDepth} deep");
    }

    [TestMethod]
    [DataRow("\"TARGET\" : \"sim\"", "\"TARGET\" : \"fpga\"", "vta_config.json: TARGET: unknown target \"fpga\"")]
    [DataRow("\"ACC_DEP_DISTANCE\" : 3", "\"ACC_DEP_DISTANCE\" : 3, \"LOG_OUT_WIDTH\": 3", "vta_config.json: LOG_OUT_WIDTH: unknown key")]
    [DataRow("\"ACC_DEP_DISTANCE\" : 3", "\"ACC_DEP_DISTANCE\" : -1", "vta_config.json: ACC_DEP_DISTANCE: -1 must not be negative")]
    [DataRow("  \"LOG_BLOCK\" : 4,\n", "", "vta_config.json: LOG_BLOCK: missing")]
    public void AMalformedBareConfigNamesTheKey(string find, string replace, string message)
    {
        var text = VtasConfig.Replace(find, replace, StringComparison.Ordinal);
        Assert.AreNotEqual(VtasConfig, text);
        var error = Assert.ThrowsExactly<BoardFileException>(() => Board.Parse(text, "vta_config.json"));
        StringAssert.StartsWith(error.Message, message);
    }

    [TestMethod]
    public void TheDe10NanoDropsTokensInItsSaturatingCounters()
    {
        var board = TestBoards.Load("de10-nano.json");
        Assert.AreEqual(DependencyQueueFull.Drop, board.Hardware.DependencyQueueFull);
        Assert.AreEqual(255, board.Hardware.DependencyQueueDepth);
        Assert.AreEqual(0xFF220000UL, board.Registers.Fetch);
    }

    [TestMethod]
    [DataRow("missing key", "vta.LOG_BLOCK", "missing")]
    [DataRow("wrong type", "vta.LOG_BLOCK", "must be a whole number, found the string \"4\"")]
    [DataRow("unknown target", "vta.TARGET", "unknown target \"fpga9000\"")]
    [DataRow("depth below one", "vta.LOG_WGT_BUFF_SIZE", "smaller than one element")]
    [DataRow("unknown key", "fabric.clock_mhzz", "unknown key")]
    [DataRow("bad address", "registers.load", "must be an address")]
    [DataRow("uop depth beyond the ISA", "hardware.uop_buffer_depth", "must be between 1 and the ISA's micro-op buffer depth 8192")]
    [DataRow("unsupported width", "vta.LOG_ACC_WIDTH", "not supported")]
    [DataRow("fields too wide", "vta.LOG_WGT_BUFF_SIZE", "does not fit the")]
    [DataRow("negative timing", "timing.dma_latency_cycles", "must not be negative")]
    [DataRow("clock too slow", "fabric.clock_mhz", "must be a frequency in MHz between 0.001 and 10000")]
    [DataRow("clock beyond a number", "fabric.clock_mhz", "1e400 is beyond the range of a number")]
    [DataRow("huge queue", "hardware.dependency_queue_depth", "must be between 1 and 32768")]
    [DataRow("dependency queue at the old maximum", "hardware.dependency_queue_depth", "1048576 must be between 1 and 32768 (the deepest AXI4-Stream FIFO")]
    [DataRow("command queue of one", "hardware.command_queue_depth", "1 must be between 2 (the smallest HLS stream) and 32768")]
    [DataRow("DMA latency of 2^31", "timing.dma_latency_cycles", "2147483647 cycles is more than 1000000")]
    [DataRow("name of a megabyte", "name", "is 1048576 characters long; at most 64")]
    [DataRow("control character in the name", "name", "contains a control character (U+0007 at position 4)")]
    [DataRow("control character in a description", "description", "contains a control character (U+001B at position 1)")]
    [DataRow("huge launch overhead", "timing.launch_overhead_us", "must be between 0 and 1000000 microseconds")]
    [DataRow("unknown free parameter", "timing.free", "\"dma_latency\" is not a timing parameter (known: dma_latency_cycles, ")]
    [DataRow("free not a list", "timing.free", "must be an array of strings")]
    [DataRow("negative bitstream load", "fpga.bitstream_load_ms", "-5 must be between 0 and 600000 ms")]
    [DataRow("bitstream load as text", "fpga.bitstream_load_ms", "must be a number, found the string \"fast\"")]
    [DataRow("fpga not an object", "fpga", "must be a JSON object, found the string \"xc7z020\"")]
    public void AMalformedBoardFileNamesTheFileTheKeyAndTheProblem(string mistake, string key, string problem)
    {
        Action<JsonObject> edit = mistake switch
        {
            "missing key" => j => j["vta"]!.AsObject().Remove("LOG_BLOCK"),
            "wrong type" => j => j["vta"]!["LOG_BLOCK"] = "4",
            "unknown target" => j => j["vta"]!["TARGET"] = "fpga9000",
            "depth below one" => j => j["vta"]!["LOG_WGT_BUFF_SIZE"] = 5,
            "unknown key" => j => j["fabric"]!["clock_mhzz"] = 100,
            "bad address" => j => j["registers"]!["load"] = "43C01000",
            "uop depth beyond the ISA" => j => j["hardware"]!["uop_buffer_depth"] = 16384,
            "unsupported width" => j => j["vta"]!["LOG_ACC_WIDTH"] = 4,
            "fields too wide" => j => j["vta"]!["LOG_WGT_BUFF_SIZE"] = 24,
            "clock too slow" => j => j["fabric"]!["clock_mhz"] = 1e-320,
            "clock beyond a number" => j => j["fabric"]!["clock_mhz"] = JsonNode.Parse("1e400"),
            "huge queue" => j => j["hardware"]!["dependency_queue_depth"] = 1_000_000_000,
            "huge launch overhead" => j => j["timing"]!["launch_overhead_us"] = 1e300,
            "dependency queue at the old maximum" => j => j["hardware"]!["dependency_queue_depth"] = 1 << 20,
            "command queue of one" => j => j["hardware"]!["command_queue_depth"] = 1,
            "DMA latency of 2^31" => j => j["timing"]!["dma_latency_cycles"] = int.MaxValue,
            "name of a megabyte" => j => j["name"] = new string('x', 1 << 20),
            "control character in the name" => j => j["name"] = "sim\u0007",
            "control character in a description" => j => j["description"] = "\u001b[31mred",
            "unknown free parameter" => j => j["timing"]!["free"] = new JsonArray("dma_latency_cycles", "dma_latency"),
            "free not a list" => j => j["timing"]!["free"] = "dma_latency_cycles",
            "negative bitstream load" => j => j["fpga"] = new JsonObject { ["part"] = "xc7z020clg400-1", ["bitstream_load_ms"] = -5 },
            "bitstream load as text" => j => j["fpga"] = new JsonObject { ["part"] = "xc7z020clg400-1", ["bitstream_load_ms"] = "fast" },
            "fpga not an object" => j => j["fpga"] = "xc7z020",
            _ => j => j["timing"]!["dma_latency_cycles"] = -1,
        };
        var error = Assert.ThrowsExactly<BoardFileException>(() => TestBoards.With(edit, "bad-board.json"));
        Assert.AreEqual("bad-board.json", error.File);
        Assert.AreEqual(key, error.Key);
        StringAssert.Contains(error.Message, "bad-board.json: " + key + ": ");
        StringAssert.Contains(error.Problem, problem);
    }

    /// <summary>
    /// The time to load a bitstream is the <c>fpga</c> section's <c>bitstream_load_ms</c>: the shipped PYNQ-Z1 boards
    /// (and the truth boards built on it) give the 470 ms PYNQ's own overlay-download notebook measured; a board without
    /// it says nothing (null), not zero.
    /// </summary>
    [TestMethod]
    public void TheBitstreamLoadTimeIsReadFromTheFpgaSection()
    {
        Assert.AreEqual(470, TestBoards.Load("pynq-z1.json").BitstreamLoadMs);
        Assert.AreEqual(470, TestBoards.Load("sim.json").BitstreamLoadMs);
        Assert.AreEqual(470, TestBoards.Load(Path.Combine("truth", "pynq-mixed.json")).BitstreamLoadMs);
        Assert.AreEqual(470, Board.Default.BitstreamLoadMs);
        Assert.IsNull(TestBoards.Load("ultra96-v2.json").BitstreamLoadMs);
        Assert.AreEqual(12.5, TestBoards.With(j => j["fpga"] = new JsonObject { ["part"] = "x", ["bitstream_load_ms"] = 12.5 }).BitstreamLoadMs);
    }

    [TestMethod]
    public void TheTimingSectionsFreeListAndTheCalibrationSectionAreRead()
    {
        var board = TestBoards.With(j =>
        {
            j["timing"]!["free"] = new JsonArray("dma_latency_cycles", "launch_overhead_us");
            j["timing"]!["dma_latency_cycles"] = 33;
            j["calibration"] = new JsonObject { ["records"] = 10 };
        }, "calibrated.json");
        CollectionAssert.AreEqual(new[] { "dma_latency_cycles", "launch_overhead_us" }, board.FreeTiming.ToArray());
        Assert.AreEqual(33, board.Timing.DmaLatencyCycles);
        Assert.AreEqual(10, board.Calibration!.Value.GetProperty("records").GetInt32());
        Assert.HasCount(0, TestBoards.Uncalibrated.FreeTiming);
        Assert.IsNull(TestBoards.Uncalibrated.Calibration);
    }

    /// <summary>
    /// The shipped PYNQ boards (the default sim.json and pynq-z1.json model the same board) carry the values fitted to
    /// TopHub's ten ResNet-18 records and nothing else, with the calibration section that says so.
    /// </summary>
    [TestMethod]
    [DataRow("sim.json")]
    [DataRow("pynq-z1.json")]
    public void TheShippedPynqBoardsAreCalibratedFromTopHubsResNet18RecordsAlone(string file)
    {
        var board = TestBoards.Load(file);
        var section = board.Calibration!.Value;
        Assert.AreEqual(10, section.GetProperty("records").GetInt32());
        Assert.AreEqual(0, section.GetProperty("skipped").GetInt32());
        CollectionAssert.AreEqual(new[] { "../shared/data/tophub-pynq-resnet18.log" }, section.GetProperty("logs").EnumerateArray().Select(l => l.GetString()).ToArray());
        CollectionAssert.AreEqual(board.FreeTiming.ToArray(), section.GetProperty("fitted").EnumerateArray().Select(l => l.GetString()).ToArray());
        var lolo = section.GetProperty("leave_one_layer_out");
        Assert.IsLessThanOrEqualTo(1.25, lolo.GetProperty("worst_factor").GetDouble(), "each held-out layer within 1.25x");
        Assert.IsGreaterThanOrEqualTo(0.9, lolo.GetProperty("spearman").GetDouble());
        Assert.IsTrue(board.Timing.SharedPort, "one memory port shared by all modules (vivado.tcl)");
        Assert.AreEqual(TestBoards.Load("sim.json").Timing, TestBoards.Load("pynq-z1.json").Timing, "sim.json models the same board");
    }

    [TestMethod]
    public void EveryTimingParameterHasARowInTheTableThatReadsAndSetsIt()
    {
        // The bus's shape and the shared-port switch are read by the board reader itself and never fitted.
        string[] structural = [nameof(TimingParameters.MaxBurstBeats), nameof(TimingParameters.MaxOutstandingBursts), nameof(TimingParameters.SharedPort)];
        Assert.HasCount(structural.Length, TimingParameterTable.Structural);
        var properties = typeof(TimingParameters).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Except(structural).ToHashSet();
        Assert.HasCount(properties.Count, TimingParameterTable.All, "one row per TimingParameters property that is a cost");
        var changed = new TimingParameters();
        foreach (var p in TimingParameterTable.All)
        {
            Assert.AreEqual(p.Default, p.Get(new TimingParameters()), p.Name);
            changed = p.With(changed, p.Default + 3);
            Assert.AreEqual(p.Default + 3, p.Get(changed), p.Name);
            Assert.IsFalse(string.IsNullOrWhiteSpace(p.Meaning) || string.IsNullOrWhiteSpace(p.Source) || string.IsNullOrWhiteSpace(p.Unit), p.Name);
        }

        Assert.AreEqual(TimingParameterTable.All.Count, TimingParameterTable.All.Select(p => p.Name).Distinct().Count());
    }

    [TestMethod]
    public void InvalidJsonSaysWhere()
    {
        var error = Assert.ThrowsExactly<BoardFileException>(() => Board.Parse("{\"name\": \"x\",\n \"vta\": {", "broken.json"));
        StringAssert.Contains(error.Message, "broken.json: is not valid JSON (line 2");
    }

    [TestMethod]
    public void AMissingFileIsNamed()
    {
        var error = Assert.ThrowsExactly<BoardFileException>(() => Board.Load("/nonexistent/board.json"));
        StringAssert.StartsWith(error.Message, "/nonexistent/board.json: cannot be read");
    }

    [TestMethod]
    public void LinkAndResetSectionsAreKeptForTheBridge()
    {
        var board = TestBoards.With(j =>
        {
            j["link"] = new JsonObject { ["ssh"] = new JsonObject { ["host"] = "pynq.local" } };
            j["reset"] = new JsonArray("agent", "reboot");
        });
        Assert.AreEqual("pynq.local", board.Link!.Value.GetProperty("ssh").GetProperty("host").GetString());
        Assert.AreEqual(2, board.Reset!.Value.GetArrayLength());
    }
}
