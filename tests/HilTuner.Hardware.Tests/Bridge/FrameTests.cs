using HilTuner.Hardware.Bridge;

namespace HilTuner.Hardware.Tests.Bridge;

[TestClass]
public sealed class FrameTests
{
    private static byte[] Hex(string text) => Convert.FromHexString(text.Replace(" ", string.Empty, StringComparison.Ordinal));

    [TestMethod]
    public void TheProtocolPagesWorkedExampleIsEncodedByteForByte()
    {
        // docs/protocol.md §10: WRITE of DE AD BE EF at arena offset 0x100, seq 42; STATUS with seq 1.
        var payload = Hex("00 01 00 00 00 00 00 00 04 00 00 00 DE AD BE EF");
        CollectionAssert.AreEqual(
            Hex("A7 56 54 41 01 02 00 00 2A 00 00 00 10 00 00 00 6E C5 39 53 00 01 00 00 00 00 00 00 04 00 00 00 DE AD BE EF D9 32 BC 6F"),
            new Frame(MessageType.Write, false, 42, payload).Encode());
        CollectionAssert.AreEqual(
            Hex("A7 56 54 41 01 06 00 00 01 00 00 00 00 00 00 00 73 9F E5 17 1C DF 44 21"),
            new Frame(MessageType.Status, false, 1, []).Encode());

        var parser = new FrameParser();
        parser.Feed(Hex("A7 56 54 41 01 02 01 00 2A 00 00 00 04 00 00 00 98 6E 80 63 00 00 00 00 69 DF 22 65"));
        var answer = parser.Next()!;
        CollectionAssert.AreEqual(Hex("A7 56 54 41 01 02 01 00 2A 00 00 00 04 00 00 00 98 6E 80 63 00 00 00 00 69 DF 22 65"), new Frame(MessageType.Write, true, 42, [0, 0, 0, 0]).Encode());
        Assert.IsTrue(answer.IsResponse);
        Assert.AreEqual(42u, answer.Sequence);
        Assert.AreEqual(MessageType.Write, answer.Type);
        Assert.AreEqual(0, AgentClient.BodyOf(answer).Length);
    }

    [TestMethod]
    public void GarbageAndDamagedFramesCostOnlyThemselves()
    {
        var first = new Frame(MessageType.Hello, true, 7, [0, 0, 0, 0, 1, 2, 3]).Encode();
        var damaged = new Frame(MessageType.Status, true, 8, new byte[40]).Encode();
        damaged[30] ^= 0x10; // a flipped bit in the payload: the frame CRC fails
        var badHeader = new Frame(MessageType.Read, true, 9, new byte[8]).Encode();
        badHeader[13] ^= 0x01; // a flipped bit in the length: the header CRC fails
        var last = new Frame(MessageType.Run, true, 10, new byte[28]).Encode();
        byte[] noise = [0x00, 0xA7, 0x56, 0xFF, 0x41, 0xA7, 0x56, 0x54]; // ends with most of a magic

        var stream = noise.Concat(first).Concat(noise).Concat(damaged).Concat(badHeader).Concat(last).ToArray();
        var parser = new FrameParser();
        var frames = new List<Frame>();
        foreach (var chunk in stream.Chunk(5)) // split everywhere, magic and header included
        {
            parser.Feed(chunk);
            while (parser.Next() is { } frame)
            {
                frames.Add(frame);
            }
        }

        CollectionAssert.AreEqual(new uint[] { 7, 10 }, frames.Select(f => f.Sequence).ToArray());
        CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 0, 1, 2, 3 }, frames[0].Payload);
        Assert.AreEqual(2, parser.CrcErrors, "one frame CRC and one header CRC");
        Assert.AreEqual(2, parser.FramesOk);
        Assert.AreEqual(stream.Length - first.Length - last.Length, parser.GarbageBytes);
    }

    [TestMethod]
    public void AHeaderAnnouncingMoreThanTheMaximumIsSkipped()
    {
        var parser = new FrameParser(maxPayload: 16);
        parser.Feed(new Frame(MessageType.Read, true, 1, new byte[17]).Encode());
        parser.Feed(new Frame(MessageType.Read, true, 2, new byte[16]).Encode());
        Assert.AreEqual(2u, parser.Next()!.Sequence);
        Assert.AreEqual(1, parser.Oversize);
    }
}
