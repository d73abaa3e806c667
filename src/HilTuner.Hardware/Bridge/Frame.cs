using System.Buffers.Binary;
using System.IO.Hashing;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// One frame of the wire protocol (docs/protocol.md §3): magic <c>A7 56 54 41</c>, version, type, flags, a reserved
/// byte, sequence number, payload length, a CRC-32 of the header, the payload, and a CRC-32 of everything before it.
/// </summary>
public sealed record Frame(MessageType Type, bool IsResponse, uint Sequence, byte[] Payload)
{
    public const byte Version = 1;
    public const int HeaderBytes = 20;
    public const int TrailerBytes = 4;
    public const int OverheadBytes = HeaderBytes + TrailerBytes;
    public const int DefaultMaxPayload = 1 << 20;
    public const byte ResponseFlag = 0x01;

    public static ReadOnlySpan<byte> Magic => [0xA7, 0x56, 0x54, 0x41];

    /// <summary>The frame's bytes as they go on the wire.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[OverheadBytes + Payload.Length];
        Magic.CopyTo(bytes);
        bytes[4] = Version;
        bytes[5] = (byte)Type;
        bytes[6] = IsResponse ? ResponseFlag : (byte)0;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)Payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), Crc32.HashToUInt32(bytes.AsSpan(0, 16)));
        Payload.CopyTo(bytes, HeaderBytes);
        var end = HeaderBytes + Payload.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(end), Crc32.HashToUInt32(bytes.AsSpan(0, end)));
        return bytes;
    }

    /// <summary>The CRC-32 of the whole frame (what the agent's duplicate rule compares).</summary>
    public static uint FrameCrc(ReadOnlySpan<byte> encoded) => BinaryPrimitives.ReadUInt32LittleEndian(encoded[^TrailerBytes..]);
}
