using System.Buffers.Binary;
using HilTuner.Hardware.Bridge;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests.Bridge;

/// <summary>The real C agent (host build) over its stdio, mapping the co-simulated board's memory.</summary>
[TestClass]
public sealed class AgentTests
{
    [TestMethod]
    public void HelloDescribesTheBoardTheAgentWasStartedFor()
    {
        using var board = new CoSimBoard();
        using var link = new ProcessLink([CoSimBoard.AgentPath, "--stdio", .. board.AgentOptions()]);
        using var client = new AgentClient(link.Open());
        var hello = client.Hello();
        Assert.AreEqual(board.Base.Vta.ConfigString, hello.Config);
        Assert.AreEqual(board.Id, hello.BoardId);
        Assert.AreEqual("pynq", hello.Target);
        Assert.IsTrue(hello.SimulatedMemory);
        Assert.IsTrue(hello.HasCycleCounter);
        CollectionAssert.AreEqual(new uint[] { 4, 256, 16, 64, 16 }, hello.ElementBytes.ToArray());
        Assert.IsGreaterThan(0x3000000L, hello.ArenaBytes);
    }

    [TestMethod]
    [System.Runtime.Versioning.UnsupportedOSPlatform("macos")] // FileStream.Lock; the agent is a Linux program anyway
    public void TwoAgentsOnOneBoardTakeTurnsAndABusyAcceleratorIsALostLinkNamingItsHolder()
    {
        // An idle agent (as the serial-line agent make bench leaves running) is in no other agent's way.
        using var board = new CoSimBoard();
        using var idle = new ProcessLink([CoSimBoard.AgentPath, "--stdio", .. board.AgentOptions("--lock-wait-ms", "200")]);
        using var first = new AgentClient(idle.Open());
        first.Write(0, [1, 2, 3]);
        using var busy = new ProcessLink([CoSimBoard.AgentPath, "--stdio", .. board.AgentOptions("--lock-wait-ms", "200")]);
        using var second = new AgentClient(busy.Open());
        Assert.AreEqual(board.Id, second.Hello().BoardId);
        second.Write(0, [4, 5, 6]);
        CollectionAssert.AreEqual(new byte[] { 4, 5, 6 }, first.Read(0, 3));

        // A request in flight elsewhere (this process's write lock on the memory stands for another agent's run): the
        // upload waits --lock-wait-ms, then is refused as a lost link that names the holder; released, it goes through.
        using (var memory = new FileStream(board.MemoryPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            memory.Lock(0, memory.Length);
            var lost = Assert.ThrowsExactly<LinkLostException>(() => second.Write(0, [7]));
            StringAssert.Contains(lost.Message, $"pid {Environment.ProcessId} (");
            StringAssert.Contains(lost.Message, board.MemoryPath);
            memory.Unlock(0, memory.Length);
        }

        second.Write(0, [7]);
        CollectionAssert.AreEqual(new byte[] { 7, 5, 6 }, first.Read(0, 3));
    }

    [TestMethod]
    public void AWriteOutsideTheAgentsBuffersIsRefusedAndWritesNothing()
    {
        using var board = new CoSimBoard();
        using var link = new ProcessLink([CoSimBoard.AgentPath, "--stdio", .. board.AgentOptions()]);
        using var client = new AgentClient(link.Open());
        var hello = client.Hello();
        client.Write(hello.ArenaBytes - 4, [1, 2, 3, 4]);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, client.Read(hello.ArenaBytes - 4, 4));

        var refused = Assert.ThrowsExactly<AgentException>(() => client.Write(hello.ArenaBytes - 2, [9, 9, 9, 9]));
        Assert.AreEqual(AgentErrorCode.Range, refused.Code);
        Assert.AreEqual(MessageType.Write, refused.Request);
        StringAssert.Contains(refused.Message, "E_RANGE");
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, client.Read(hello.ArenaBytes - 4, 4), "nothing was written");

        // An offset far outside (a host trying to reach a physical address) is refused the same way.
        Assert.AreEqual(AgentErrorCode.Range, Assert.ThrowsExactly<AgentException>(() => client.Write(0x4000_0000_0000, [1])).Code);
        Assert.AreEqual(AgentErrorCode.Range, Assert.ThrowsExactly<AgentException>(() => client.Read(hello.ArenaBytes, 1)).Code);
    }

    [TestMethod]
    public void ARetriedRequestIsAnsweredAgainButExecutedOnce()
    {
        using var board = new CoSimBoard();
        using var link = new ProcessLink([CoSimBoard.AgentPath, "--stdio", .. board.AgentOptions()]);
        using var channel = link.Open();

        // A RUN of one FINISH instruction, sent twice with the same sequence number: one run, one duplicate.
        var finish = new byte[16];
        finish[0] = 3;
        var write = new byte[12 + 16];
        BinaryPrimitives.WriteUInt32LittleEndian(write.AsSpan(8), 16);
        finish.CopyTo(write, 12);
        var run = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(run.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(run.AsSpan(12), 2000);
        var runFrame = new Frame(MessageType.Run, false, 501, run).Encode();
        foreach (var bytes in new[] { new Frame(MessageType.Write, false, 500, write).Encode(), runFrame, runFrame, new Frame(MessageType.Status, false, 502, []).Encode() })
        {
            channel.ToAgent.Write(bytes);
        }

        channel.ToAgent.Flush();
        var parser = new FrameParser();
        var responses = new List<Frame>();
        var buffer = new byte[4096];
        while (responses.Count < 4)
        {
            var read = channel.FromAgent.Read(buffer);
            Assert.IsGreaterThan(0, read, "the agent closed the link");
            parser.Feed(buffer.AsSpan(0, read));
            while (parser.Next() is { } frame)
            {
                responses.Add(frame);
            }
        }

        CollectionAssert.AreEqual(new uint[] { 500, 501, 501, 502 }, responses.Select(r => r.Sequence).ToArray());
        CollectionAssert.AreEqual(responses[1].Payload, responses[2].Payload, "the duplicate gets the cached answer");
        Assert.AreEqual(0, AgentClient.BodyOf(responses[1])[0], "the FINISH-only program ran to done");
        var status = AgentStatus.Parse(AgentClient.BodyOf(responses[3]));
        Assert.AreEqual(1, status.Runs, "executed once");
        Assert.AreEqual(1, status.Duplicates);
        Assert.AreEqual(1, board.Device.Runs, "the device saw one launch");
    }

    [TestMethod]
    public void AnAgentOfAnotherConfigurationIsRefusedByTheSession()
    {
        using var board = new CoSimBoard();
        var path = board.WriteBoardFile(board.ProcessLink());
        var other = Board.Load(path) with { Vta = Board.Load(Repository.UncalibratedBoardFile).Vta with { LogBlock = 5 } };
        using var target = BoardTarget.Open(other);
        var e = Assert.ThrowsExactly<BoardFailureException>(() => target.Session.Connect());
        StringAssert.Contains(e.Message, "1x16_i8w8a32_15_15_18_17");
        StringAssert.Contains(e.Message, other.Vta.ConfigString);
    }
}
