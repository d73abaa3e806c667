using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Tests.Shared;

namespace HilTuner.Cli.Tests;

/// <summary>
/// The whole chain with only the silicon replaced: hiltuner tune → link → the real C agent → the co-simulation
/// device's registers and DRAM. Every status and cycle count must be the simulator target's.
/// </summary>
[TestClass]
public sealed class BoardBridgeTests
{
    public TestContext TestContext { get; set; } = null!;

    internal static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>(index, status, cycles, costs) of every record, in trial order.</summary>
    internal static List<(long Index, string Status, long Cycles, string Costs)> Records(string log) =>
        File.ReadAllLines(log).Select(l => JsonNode.Parse(l)!).Select(r => (
            r["config"]!["index"]!.GetValue<long>(),
            r["hiltuner"]!["status"]!.GetValue<string>(),
            r["hiltuner"]!["cycles"]?.GetValue<long>() ?? 0,
            r["result"]![0]!.ToJsonString())).ToList();

    /// <summary>Tunes C11 for 30 trials on the simulator and on <paramref name="boardFile"/>, same tuner and seed, and compares the logs record by record.</summary>
    internal static void TuneOnBoardEqualsSimulator(string boardFile, TestContext context)
    {
        var dir = NewDirectory();
        // Random search with seed 24 meets ok, compile_error, runtime_error and wrong_answer within 30 trials of C11 on a
        // board whose accumulator pipeline is deeper than the runtime's guard (the co-simulated board is built on it).
        string[] common = ["tune", "--workload", "resnet18.C11", "--tuner", "random", "--trials", "30", "--seed", "24", "--repeat", "1"];
        var simLog = Path.Combine(dir, "sim.log");
        var (simExit, _, simError) = Cli.Run(string.Empty, [.. common, "--target", "sim", "--board", Repository.DeepPipelineBoardFile, "--log", simLog]);
        Assert.AreEqual(0, simExit, simError);
        var boardLog = Path.Combine(dir, "board.log");
        var (exit, output, error) = Cli.Run(string.Empty, [.. common, "--target", "board", "--board", boardFile, "--log", boardLog]);
        context.WriteLine(error);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "measured on: board");

        var sim = Records(simLog);
        var board = Records(boardLog);
        Assert.HasCount(30, board);
        CollectionAssert.AreEqual(sim, board, "every record: the same configuration, status, cycles and costs");
        Assert.IsTrue(board.Any(r => r.Status == "ok") && board.Any(r => r.Status == "wrong_answer") && board.Any(r => r.Status == "runtime_error"),
            "the run exercised both working and failing programs on the board: " + string.Join(", ", board.Select(r => r.Status).Distinct()));
        foreach (var line in File.ReadLines(boardLog))
        {
            Assert.AreEqual("board", JsonNode.Parse(line)!["hiltuner"]!["target"]!.GetValue<string>());
        }
    }

    [TestMethod]
    public void TuningOverALocalAgentEqualsTheSimulator()
    {
        using var board = new CoSimBoard(Repository.DeepPipelineBoardFile);
        TuneOnBoardEqualsSimulator(board.WriteBoardFile(board.ProcessLink()), TestContext);
    }

    [TestMethod]
    public void BoardInfoPingResetAndRunTalkToTheAgent()
    {
        using var board = new CoSimBoard();
        var file = board.WriteBoardFile(board.ProcessLink());

        var (exit, output, error) = Cli.Run(string.Empty, "board", "info", "--board", file);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, board.Id);
        StringAssert.Contains(output, "1x16_i8w8a32_15_15_18_17");
        StringAssert.Contains(output, "simulated memory");

        (exit, output, error) = Cli.Run(string.Empty, "board", "ping", "--board", file, "--count", "5");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "5 round trips");

        (exit, output, error) = Cli.Run(string.Empty, "board", "reset", "--board", file);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "soft reset");
        StringAssert.Contains(output, "PL reset pulsed");
        StringAssert.Contains(output, "health check: passed");

        (exit, output, error) = Cli.Run(string.Empty, "board", "run", "--board", file, "--workload", "resnet18.C11", "--index", "241");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "resnet18.C11 #241 on " + board.Id + ": ok");
        StringAssert.Contains(output, "(simulator: ok,");
    }

    /// <summary>
    /// A board whose accelerator does not run when tuning starts (no bitstream, no device) stops the run with exit code 3
    /// before anything is measured: no configuration is charged with the board's failure, and a resumed run, once the
    /// board is back, measures everything.
    /// </summary>
    [TestMethod]
    public void ABoardUnhealthyAtTheStartStopsTheRunWithNothingRecordedAndTheResumeMeasuresEverything()
    {
        using var board = new CoSimBoard(startDevice: false);
        var file = board.WriteBoardFile(board.ProcessLink(), new JsonObject { ["ladder"] = new JsonArray("soft") });
        var log = Path.Combine(NewDirectory(), "board.log");
        string[] tune = ["tune", "--workload", "resnet18.C11", "--tuner", "random", "--trials", "10", "--seed", "5", "--repeat", "1", "--target", "board", "--board", file, "--log", log];
        var (exit, _, error) = Cli.Run(string.Empty, tune);
        Assert.AreEqual(3, exit, error);
        StringAssert.Contains(error, "not healthy before the first measurement (the known program did not raise done)");
        Assert.IsEmpty(File.Exists(log) ? File.ReadAllLines(log) : [], "nothing was recorded against a configuration");

        board.Device.Start();
        (exit, _, error) = Cli.Run(string.Empty, [.. tune, "--resume"]);
        Assert.AreEqual(0, exit, error);
        var records = Records(log);
        Assert.HasCount(10, records);
        Assert.IsFalse(records.Any(r => r.Status is "hang" or "link_lost" or "board_reset"), string.Join(", ", records.Select(r => r.Status)));
    }

    [TestMethod]
    public void BoardRunOnABoardTheLadderCannotBringBackSaysToRunItAgainNotToResume()
    {
        // The device does not answer: the health check before the run fails, the soft reset (no reset register) does
        // not help, the ladder gives up — before the configuration is run, so nothing is charged to it.
        using var board = new CoSimBoard();
        var file = board.WriteBoardFile(board.ProcessLink("--reset-reg", "none"), new JsonObject { ["ladder"] = new JsonArray("soft") });
        board.Device.Dispose();
        var (exit, output, error) = Cli.Run(string.Empty, "board", "run", "--board", file, "--workload", "resnet18.C11", "--index", "241", "--timeout", "1");
        Assert.AreEqual(3, exit, output + error);
        Assert.DoesNotContain(": hang", output, "the configuration is not charged with the board's failure");
        StringAssert.Contains(error, "not healthy before the first measurement");
        StringAssert.Contains(error, "still not healthy after every reset step");
        StringAssert.Contains(error, "then run the command again");
        Assert.DoesNotContain("--resume", output + error, "board run has no --resume option and no log to resume");
    }

    [TestMethod]
    public void ABoardFileWithoutALinkIsRefusedWithWhatToAdd()
    {
        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--trials", "2", "--target", "board",
            "--board", Repository.BoardFile("sim.json"), "--log", Path.Combine(NewDirectory(), "x.log"));
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error, "sim.json");
        StringAssert.Contains(error, "link");
        StringAssert.Contains(error, "kind ssh");
    }

    /// <summary>
    /// A board file's link and reset values that cannot be right are refused when the file is read — by any command,
    /// not only when a board target opens — naming the file and the key.
    /// </summary>
    [TestMethod]
    [DataRow("{\"link\": {\"kind\": \"telnet\", \"command\": [\"x\"]}}", "link.kind: unknown link kind \"telnet\" (expected one of: ssh, serial, process)")]
    [DataRow("{\"link\": {\"kind\": \"serial\", \"device\": \"/dev/ttyUSB0\", \"baud\": -9600}}", "link.baud: -9600 must be between 50 and 16000000")]
    [DataRow("{\"link\": {\"kind\": \"process\", \"command\": [\"x\"], \"request_timeout_ms\": -5}}", "link.request_timeout_ms: -5 must be between 1 and 3600000 ms")]
    [DataRow("{\"link\": {\"kind\": \"ssh\", \"host\": \"b\", \"user\": \"u\", \"key\": \"k\", \"agent\": \"a\", \"port\": 70000, \"allow_unknown_host_key\": true}}", "link.port: 70000 must be between 1 and 65535")]
    [DataRow("{\"link\": {\"kind\": \"process\", \"command\": [\"vta-agent\\n--stdio\"]}}", "link.command: contains a control character (U+000A")]
    [DataRow("{\"reset\": {\"ladder\": [\"soft\", \"dance\"]}}", "reset.ladder: unknown step \"dance\"")]
    [DataRow("{\"reset\": {\"ladder\": [\"reboot\"], \"reboot_wait_s\": -1}}", "reset.reboot_wait_s: -1 must be between 0 and 86400 seconds")]
    [DataRow("{\"reset\": {\"ladder\": [\"power\"], \"power\": {\"gpio_pin\": 17, \"off_ms\": -5}}}", "reset.power.off_ms: -5 must be between 0 and 600000 ms")]
    public void LinkAndResetValuesAreCheckedWhenTheBoardFileIsRead(string sections, string message)
    {
        var json = JsonNode.Parse(File.ReadAllText(Repository.BoardFile("sim.json")))!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(sections)!.AsObject().ToList())
        {
            json[key] = value!.DeepClone();
        }

        var file = Path.Combine(NewDirectory(), "bad-link.json");
        File.WriteAllText(file, json.ToJsonString());
        var (exit, _, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", "--index", "1", "--board", file);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, $"{file}: {message}");
    }

    /// <summary>Options that cannot be right are refused in one line before the board is reached.</summary>
    [TestMethod]
    [DataRow("ping|--count|0", "--count must be at least 1, not 0")]
    [DataRow("ping|--count|-5", "--count must be at least 1, not -5")]
    [DataRow("run|--workload|resnet18.C11|--index|3|--timeout|1e-9", "--timeout must be positive and at most 3600 s (one hour), and at least 0.001 s")]
    public void BoardOptionsAreCheckedBeforeTheBoardIsReached(string args, string message)
    {
        var (exit, _, error) = Cli.Run(string.Empty, ["board", .. args.Split('|'), "--board", Repository.BoardFile("sim.json")]);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, message);
    }

    [TestMethod]
    public void AnAgentThatCannotStartIsABoardError()
    {
        using var board = new CoSimBoard();
        var link = board.ProcessLink();
        link["command"] = new JsonArray("/nonexistent/vta-agent", "--stdio");
        link["reconnect_tries"] = 1;
        var (exit, _, error) = Cli.Run(string.Empty, "board", "info", "--board", board.WriteBoardFile(link));
        Assert.AreEqual(3, exit, error);
        StringAssert.Contains(error, "hiltuner: board: could not start the agent /nonexistent/vta-agent");
    }

    [TestMethod]
    public void TheDeviceCommandServesTheAgentFromAnotherProcess()
    {
        // hiltuner device as its own process (as CI scripts and developers run it), the agent over stdio.
        var dir = NewDirectory();
        var shm = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : dir, $"hiltuner-test-{Guid.NewGuid():N}.mem");
        var dll = Path.Combine(AppContext.BaseDirectory, "hiltuner.dll");
        using var device = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "device", "--shm", shm, "--board", Repository.BoardFile("sim.json")])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            Assert.StartsWith("device: ready", device.StandardError.ReadLine() ?? string.Empty);
            var boardFile = Path.Combine(dir, "board.json");
            var json = JsonNode.Parse(File.ReadAllText(Repository.BoardFile("sim.json")))!.AsObject();
            json["link"] = new JsonObject
            {
                ["kind"] = "process",
                ["command"] = new JsonArray([.. new[] { CoSimBoard.AgentPath, "--stdio", "--target", "pynq", "--config", "1x16_i8w8a32_15_15_18_17", "--board-id", "device-test", "--mem", shm,
                    "--dma-phys", CoSimBoard.DmaPhys, "--dma-size", CoSimBoard.DmaSize, "--insn-capacity", CoSimBoard.InstructionCapacity, "--cycle-counter", "0x43C10000", "--reset-hold-ms", "2" }.Select(a => (JsonNode)a!)]),
                ["watchdog_floor_ms"] = 3000,
            };
            File.WriteAllText(boardFile, json.ToJsonString());
            var (exit, output, error) = Cli.Run(string.Empty, "board", "run", "--board", boardFile, "--workload", "resnet18.C11", "--index", "241");
            Assert.AreEqual(0, exit, error);
            StringAssert.Contains(output, "device-test: ok");
        }
        finally
        {
            device.Kill();
            device.WaitForExit();
            File.Delete(shm);
        }
    }

    [TestMethod]
    public void TuningOverSshEqualsTheSimulator()
    {
        using var sshd = new PrivateSshd();
        using var board = new CoSimBoard(Repository.DeepPipelineBoardFile);
        TuneOnBoardEqualsSimulator(board.WriteBoardFile(board.SshLink(sshd)), TestContext);
    }

    [TestMethod]
    public void TuningOverASerialLineEqualsTheSimulator()
    {
        using var pty = new PtyPair();
        using var board = new CoSimBoard(Repository.DeepPipelineBoardFile);
        using var agent = new TtyAgent(pty.Board, board.AgentOptions());
        TuneOnBoardEqualsSimulator(board.WriteBoardFile(CoSimBoard.SerialLink(pty)), TestContext);
    }

    [TestMethod]
    public void AWrongOrUnknownHostKeyIsRefusedAndAKnownOneAccepted()
    {
        using var sshd = new PrivateSshd();
        using var board = new CoSimBoard();

        // Another key pinned: refused, saying what the server presented and what was expected.
        var wrong = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        var (exit, _, error) = Cli.Run(string.Empty, "board", "info", "--board", board.WriteBoardFile(board.SshLink(sshd, hostKey: "SHA256:" + wrong)));
        Assert.AreEqual(3, exit, error);
        StringAssert.Contains(error, "host key changed");
        StringAssert.Contains(error, "SHA256:" + sshd.HostKeySha256);
        StringAssert.Contains(error, "SHA256:" + wrong);

        // Nothing pinned and not in known_hosts: refused unless explicitly allowed.
        var unknown = board.SshLink(sshd, pin: false);
        unknown["known_hosts"] = Path.Combine(NewDirectory(), "known_hosts");
        (exit, _, error) = Cli.Run(string.Empty, "board", "info", "--board", board.WriteBoardFile(unknown));
        Assert.AreEqual(3, exit, error);
        StringAssert.Contains(error, "unknown host key SHA256:" + sshd.HostKeySha256);

        // Found in known_hosts: accepted.
        var known = board.SshLink(sshd, pin: false);
        known["known_hosts"] = sshd.KnownHosts;
        string output;
        (exit, output, error) = Cli.Run(string.Empty, "board", "info", "--board", board.WriteBoardFile(known));
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, board.Id);

        // A board file that neither pins nor names known_hosts is refused before connecting.
        var bare = board.SshLink(sshd, pin: false);
        (exit, _, error) = Cli.Run(string.Empty, "board", "info", "--board", board.WriteBoardFile(bare));
        Assert.AreEqual(2, exit, error);
        StringAssert.Contains(error, "link.host_key_sha256");
    }

    /// <summary>
    /// A hang the simulator predicts, on the last trial, after which nothing on the reset ladder brings the board back: it
    /// is recorded (it is the program's), and the run still exits 3 so that a script knows the board is down.
    /// </summary>
    /// <summary>
    /// The same tune command on a bench with a board and in CI without one: auto (the default for a board file with a
    /// link) uses the board when it passes its health check and the simulator when it does not, saying which and why;
    /// HILTUNER_TARGET=sim forces the simulator; a log is not continued on the other target.
    /// </summary>
    [TestMethod]
    public void AutoTunesOnTheBoardWhenItAnswersAndOnTheSimulatorWhenItDoesNot()
    {
        using var board = new CoSimBoard(startDevice: false);
        var file = board.WriteBoardFile(board.ProcessLink(), new JsonObject { ["ladder"] = new JsonArray("soft") });
        var dir = NewDirectory();
        string[] tune = ["tune", "--workload", "resnet18.C11", "--tuner", "random", "--trials", "6", "--seed", "5", "--repeat", "1", "--board", file];

        // No accelerator behind the agent: the simulator of the same board file, and one line saying why.
        var ciLog = Path.Combine(dir, "ci.log");
        var (exit, output, error) = Cli.Run(string.Empty, [.. tune, "--log", ciLog]);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(error, $"hiltuner: target: sim (the simulator of {board.Id}, with its VTA configuration and timing): the board was not used: ");
        StringAssert.Contains(error, "the known program did not raise done");
        StringAssert.Contains(output, "measured on: sim");
        var onSim = File.ReadAllLines(ciLog).Select(l => JsonNode.Parse(l)!["hiltuner"]!["target"]!.GetValue<string>()).ToList();
        Assert.HasCount(6, onSim);
        Assert.IsTrue(onSim.All(t => t == "sim"));

        board.Device.Start();
        var benchLog = Path.Combine(dir, "bench.log");
        (exit, output, error) = Cli.Run(string.Empty, [.. tune, "--log", benchLog]);
        Assert.AreEqual(0, exit, error);
        StringAssert.StartsWith(error, $"hiltuner: target: board ({board.Id} over ", "the first line names the target; the link's lines follow");
        StringAssert.Contains(error, "link: local agent");
        StringAssert.Contains(output, "measured on: board");
        CollectionAssert.AreEqual(Records(ciLog), Records(benchLog), "the board measures what the simulator does");
        Assert.IsTrue(File.ReadAllLines(benchLog).All(l => JsonNode.Parse(l)!["hiltuner"]!["target"]!.GetValue<string>() == "board"));

        // The board answers now, but the CI log was made on the simulator: not continued on the board.
        (exit, _, error) = Cli.Run(string.Empty, [.. tune, "--log", ciLog, "--resume"]);
        Assert.AreEqual(2, exit, error);
        StringAssert.Contains(error, "were measured on sim");
        StringAssert.Contains(error, "a separate log per target");

        // CI forces the simulator without touching the command, even with the board answering.
        var forcedLog = Path.Combine(dir, "forced.log");
        var runs = board.Device.Runs;
        (exit, output, error) = Cli.RunWith(new Dictionary<string, string> { ["HILTUNER_TARGET"] = "sim" }, string.Empty, [.. tune, "--log", forcedLog]);
        Assert.AreEqual(0, exit, error);
        StringAssert.StartsWith(error, $"hiltuner: target: sim (the simulator of {board.Id})");
        Assert.AreEqual(runs, board.Device.Runs, "the board was not touched");

        (exit, _, error) = Cli.RunWith(new Dictionary<string, string> { ["HILTUNER_TARGET"] = "fpga" }, string.Empty, [.. tune, "--log", Path.Combine(dir, "bad.log")]);
        Assert.AreEqual(2, exit, error);
        Assert.AreEqual("hiltuner: HILTUNER_TARGET: unknown target \"fpga\" (known: sim, board, auto, replay)\n", error);
    }

    /// <summary>sim.json with dependency FIFOs of one token, written into <paramref name="dir"/>: some C11 programs deadlock on it (the simulator says so too).</summary>
    private static string TinyQueuesBoard(string dir)
    {
        var tinyQueues = JsonNode.Parse(File.ReadAllText(Repository.BoardFile("sim.json")))!.AsObject();
        tinyQueues["name"] = "tiny-queues";
        tinyQueues["hardware"]!["dependency_queue_depth"] = 1;
        var path = Path.Combine(dir, "tiny-queues.json");
        File.WriteAllText(path, tinyQueues.ToJsonString());
        return path;
    }

    [TestMethod]
    [DataRow("board")]
    [DataRow("auto")]
    public void ABoardLostAfterTheLastTrialStillExits3(string target)
    {
        var dir = NewDirectory();
        var baseFile = TinyQueuesBoard(dir);
        using var board = new CoSimBoard(baseFile);

        // Random search with seed 10 meets a deadlocking configuration at trial 12; no PL reset register, a soft-only ladder.
        var file = board.WriteBoardFile(board.ProcessLink("--reset-reg", "none"), new JsonObject { ["ladder"] = new JsonArray("soft") });
        var log = Path.Combine(dir, "board.log");
        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--tuner", "random", "--trials", "12", "--seed", "10",
            "--repeat", "1", "--timeout", "2", "--board", file, "--target", target, "--log", log);
        Assert.AreEqual(3, exit, error);
        StringAssert.Contains(error, "still not healthy after every reset step");
        var records = File.ReadAllLines(log).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.HasCount(12, records);
        Assert.AreEqual("hang", records[^1]["hiltuner"]!["status"]!.GetValue<string>());
        Assert.AreEqual("predicted", records[^1]["hiltuner"]!["attribution"]!.GetValue<string>(), "the simulator deadlocks on it too");
    }

    [TestMethod]
    public void AHangInTheMiddleOfTuningIsRecordedOnceTheBoardResetAndTuningGoesOn()
    {
        // A board whose dependency FIFOs hold one token: some C11 programs deadlock on it (the simulator says so too).
        var dir = NewDirectory();
        var baseFile = TinyQueuesBoard(dir);
        using var board = new CoSimBoard(baseFile);

        // Random search with seed 10 meets deadlocking configurations at trials 12 and 25, and a good one at trial 26.
        string[] common = ["tune", "--workload", "resnet18.C11", "--tuner", "random", "--trials", "26", "--seed", "10", "--repeat", "1", "--timeout", "2"];
        var simLog = Path.Combine(dir, "sim.log");
        var (simExit, _, simError) = Cli.Run(string.Empty, [.. common, "--board", baseFile, "--target", "sim", "--log", simLog]);
        Assert.AreEqual(0, simExit, simError);
        var boardLog = Path.Combine(dir, "board.log");
        var (exit, _, error) = Cli.Run(string.Empty, [.. common, "--board", board.WriteBoardFile(board.ProcessLink()), "--target", "board", "--log", boardLog]);
        TestContext.WriteLine(error);
        Assert.AreEqual(0, exit, error);

        var sim = Records(simLog);
        var onBoard = Records(boardLog);
        CollectionAssert.AreEqual(sim.Select(r => (r.Index, r.Status)).ToList(), onBoard.Select(r => (r.Index, r.Status)).ToList());
        var hangs = onBoard.Where(r => r.Status == "hang").ToList();
        CollectionAssert.AreEqual(new[] { 11, 24 }, hangs.Select(h => onBoard.IndexOf(h)).ToArray());
        foreach (var hang in hangs)
        {
            Assert.AreEqual(1, onBoard.Count(r => r.Index == hang.Index), "one record for a configuration that hung");

            // Each step with its time, on stderr: the hang, the soft reset, the health check.
            StringAssert.Contains(error, $"hang: resnet18.C11 #{hang.Index}");
        }

        Assert.AreEqual(2, error.Split("reset step soft (ok").Length - 1, error);
        Assert.AreEqual(2, error.Split("health check (ok").Length - 1, error);
        CollectionAssert.AreEqual(sim.Where(r => r.Status != "hang").ToList(), onBoard.Where(r => r.Status != "hang").ToList(), "the rest: same cycles and costs");
        Assert.AreEqual("ok", onBoard[25].Status, "the board measured correctly after the hangs");
    }
}
