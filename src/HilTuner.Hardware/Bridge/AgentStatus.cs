using System.Buffers.Binary;

namespace HilTuner.Hardware.Bridge;

/// <summary>The agent's state and counters (STATUS, docs/protocol.md §6.7); counters never reset while it runs.</summary>
public sealed record AgentStatus
{
    public required bool Hung { get; init; }

    /// <summary>none, done, timeout or refused.</summary>
    public required string LastRun { get; init; }

    public long LastRunCycles { get; init; }
    public long LastRunElapsedMicroseconds { get; init; }
    public long UptimeMilliseconds { get; init; }
    public long FramesOk { get; init; }
    public long CrcErrors { get; init; }
    public long Resyncs { get; init; }
    public long Duplicates { get; init; }
    public long Runs { get; init; }
    public long Timeouts { get; init; }
    public long Refused { get; init; }
    public long Oversize { get; init; }
    public long GarbageBytes { get; init; }
    public long SoftResets { get; init; }
    public long HardResets { get; init; }
    public long Ignored { get; init; }

    /// <summary>Reads a STATUS response body (136 bytes).</summary>
    public static AgentStatus Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length < 136)
        {
            throw new LinkLostException($"a STATUS body of {body.Length} bytes is shorter than the 136 the protocol gives it");
        }

        var b = body[..136].ToArray();
        long U64(int at) => (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));
        return new AgentStatus
        {
            Hung = b[0] == 1,
            LastRun = b[1] switch { 0 => "none", 1 => "done", 2 => "timeout", 3 => "refused", _ => $"unknown ({b[1]})" },
            LastRunElapsedMicroseconds = U64(16),
            LastRunCycles = U64(24),
            UptimeMilliseconds = U64(32),
            FramesOk = U64(40),
            CrcErrors = U64(48),
            Resyncs = U64(56),
            Duplicates = U64(64),
            Runs = U64(72),
            Timeouts = U64(80),
            Refused = U64(88),
            Oversize = U64(96),
            GarbageBytes = U64(104),
            SoftResets = U64(112),
            HardResets = U64(120),
            Ignored = U64(128),
        };
    }
}
