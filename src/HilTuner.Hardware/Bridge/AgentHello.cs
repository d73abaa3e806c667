namespace HilTuner.Hardware.Bridge;

/// <summary>What the agent says about itself (HELLO, docs/protocol.md §6.2).</summary>
public sealed record AgentHello
{
    public required Version AgentVersion { get; init; }

    /// <summary>pynq, ultra96, zcu104 or de10nano.</summary>
    public required string Target { get; init; }

    public bool HasCycleCounter { get; init; }
    public bool HasResetRegister { get; init; }
    public bool HasBitstreamCommand { get; init; }

    /// <summary>The agent maps a file instead of <c>/dev/mem</c> (a co-simulated board).</summary>
    public bool SimulatedMemory { get; init; }

    public required long ArenaBytes { get; init; }
    public required uint InstructionCapacity { get; init; }
    public required int MaxPayload { get; init; }

    /// <summary>DRAM element bytes in memory-type order UOP, WGT, INP, ACC, OUT.</summary>
    public required IReadOnlyList<uint> ElementBytes { get; init; }

    public required string BoardId { get; init; }

    /// <summary>VTA's configuration string, e.g. <c>1x16_i8w8a32_15_15_18_17</c>.</summary>
    public required string Config { get; init; }

    internal static string TargetName(byte kind) => kind switch
    {
        0 => "pynq",
        1 => "ultra96",
        2 => "zcu104",
        3 => "de10nano",
        _ => $"unknown target {kind}",
    };
}
