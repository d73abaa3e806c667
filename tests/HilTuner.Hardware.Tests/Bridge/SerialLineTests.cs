using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Bridge;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests.Bridge;

/// <summary>The agent at the far end of a real pty pair (socat), the host on System.IO.Ports.</summary>
[TestClass]
public sealed class SerialLineTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// At 9600 baud a frame of the agent's 1 MiB max_payload would take 18 minutes, far past every timeout: uploads
    /// and downloads go in frames of one second of the line (960 bytes), and arrive whole. (A pty does not pace bytes
    /// at the baud rate, so this checks the framing; the timing follows from it.)
    /// </summary>
    [TestMethod]
    public void ASlowLineCarriesLargeTransfersInFramesOfASecondOfItsTime()
    {
        using var pty = new PtyPair();
        using var board = new CoSimBoard();
        using var agent = new TtyAgent(pty.Board, board.AgentOptions());
        var b = Board.Load(board.WriteBoardFile(CoSimBoard.SerialLink(pty)));
        using var session = new BoardSession(b, new SerialLink(pty.Host, 9600), LinkSettings.Of(b));
        var client = session.Client;
        Assert.AreEqual(960 - 12, client.ChunkBytes);

        var data = new byte[20_000];
        new Random(5).NextBytes(data);
        var before = client.Status().FramesOk;
        client.Write(4096, data);
        CollectionAssert.AreEqual(data, client.Read(4096, data.Length));
        var frames = client.Status().FramesOk - before - 1;
        var expected = ((data.Length + 947) / 948) + ((data.Length + 955) / 956);
        Assert.AreEqual(expected, frames, "WRITEs of 948 bytes and READs of 956, and no more");
        Assert.AreEqual(0, client.Resends);
    }

    [TestMethod]
    public void GarbageAndFlippedBitsOnTheLineCostResendsNeverAWrongRecord()
    {
        using var pty = new PtyPair();
        using var board = new CoSimBoard();
        using var agent = new TtyAgent(pty.Board, board.AgentOptions());
        var b = Board.Load(board.WriteBoardFile(CoSimBoard.SerialLink(pty)));
        var settings = LinkSettings.Of(b) with { RequestTimeout = TimeSpan.FromMilliseconds(700), Retries = 6 };
        var noisy = new NoisyLine(new SerialLink(pty.Host, 115200), seed: 11, flipPerWrite: 0.15, flipPerRead: 0.04, garbagePerWrite: 0.2);
        using var target = new BoardTarget(b, new BoardSession(b, noisy, settings), ResetLadder.Of(b));
        var sim = new SimTarget(b);

        var c11 = WorkloadRegistry.Resolve("resnet18.C11");
        var tensors = OperatorTensors.Random(c11, 0);
        var space = Templates.For(c11, b.Vta);
        var options = new MeasureOptions { Repeat = 1, TimeoutSeconds = 5 };
        var measured = 0;
        foreach (var index in new long[] { 241, 0, 2, 243, 77, 240, 1, 244 })
        {
            if (VtaCompiler.Compile(c11, space.Get(index), b).Program is not { } program)
            {
                continue;
            }

            var expected = sim.Measure(program, tensors, options);
            var actual = target.Measure(program, tensors, options);
            Assert.AreEqual(expected.Status, actual.Status, $"#{index}: {actual.Error}");
            Assert.AreEqual(expected.Cycles, actual.Cycles, $"#{index}");
            measured++;
        }

        Assert.IsGreaterThanOrEqualTo(5, measured);
        var client = target.Session.Client;
        var status = client.Status();
        TestContext.WriteLine($"flipped to agent {noisy.FlippedToAgent}, from agent {noisy.FlippedFromAgent}, garbage bursts {noisy.GarbageBursts}; " +
            $"agent: CRC errors {status.CrcErrors}, resyncs {status.Resyncs}, garbage bytes {status.GarbageBytes}, duplicates {status.Duplicates}; " +
            $"host: CRC errors {client.Parser.CrcErrors}, resyncs {client.Parser.Resyncs}, resends {client.Resends}, stale {client.StaleResponses}; reconnects {target.Session.Reconnects}");
        Assert.IsGreaterThan(0L, noisy.FlippedToAgent);
        Assert.IsGreaterThan(0L, noisy.FlippedFromAgent);
        Assert.IsGreaterThan(0L, status.CrcErrors, "the agent counted the damaged requests");
        Assert.IsGreaterThan(0L, status.Resyncs, "the agent resynchronised after garbage");
        Assert.IsGreaterThan(0L, client.Parser.CrcErrors, "the host counted the damaged responses");
        Assert.IsGreaterThan(0L, client.Resends);
        Assert.IsEmpty(target.Events, "no hang, no reconnect: " + string.Join("; ", target.Events));
    }
}
