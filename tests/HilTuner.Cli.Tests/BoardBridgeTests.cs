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
        // Random search with seed 5 meets ok, compile_error, runtime_error and wrong_answer within 30 trials of C11.
        string[] common = ["tune", "--workload", "resnet18.C11", "--tuner", "random", "--trials", "30", "--seed", "5", "--repeat", "1"];
        var simLog = Path.Combine(dir, "sim.log");
        var (simExit, _, simError) = Cli.Run(string.Empty, [.. common, "--target", "sim", "--log", simLog]);
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
        using var board = new CoSimBoard();
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

    [TestMethod]
    public void BoardRunOnABoardTheLadderCannotBringBackSaysToRunItAgainNotToResume()
    {
        // The device stops answering: the run hangs, the soft reset (no reset register) does not help, the ladder gives up.
        using var board = new CoSimBoard();
        var file = board.WriteBoardFile(board.ProcessLink("--reset-reg", "none"), new JsonObject { ["ladder"] = new JsonArray("soft") });
        board.Device.Dispose();
        var (exit, output, error) = Cli.Run(string.Empty, "board", "run", "--board", file, "--workload", "resnet18.C11", "--index", "241", "--timeout", "1");
        Assert.AreEqual(1, exit, output + error);
        StringAssert.Contains(output, ": hang");
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
        using var board = new CoSimBoard();
        TuneOnBoardEqualsSimulator(board.WriteBoardFile(board.SshLink(sshd)), TestContext);
    }

    [TestMethod]
    public void TuningOverASerialLineEqualsTheSimulator()
    {
        using var pty = new PtyPair();
        using var board = new CoSimBoard();
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

    [TestMethod]
    public void AHangInTheMiddleOfTuningIsRecordedOnceTheBoardResetAndTuningGoesOn()
    {
        // A board whose dependency FIFOs hold one token: some C11 programs deadlock on it (the simulator says so too).
        var dir = NewDirectory();
        var tinyQueues = JsonNode.Parse(File.ReadAllText(Repository.BoardFile("sim.json")))!.AsObject();
        tinyQueues["name"] = "tiny-queues";
        tinyQueues["hardware"]!["dependency_queue_depth"] = 1;
        var baseFile = Path.Combine(dir, "tiny-queues.json");
        File.WriteAllText(baseFile, tinyQueues.ToJsonString());
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
