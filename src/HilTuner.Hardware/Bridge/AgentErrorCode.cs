namespace HilTuner.Hardware.Bridge;

/// <summary>The agent's error codes (docs/protocol.md §7); every request is answered with one of them.</summary>
public enum AgentErrorCode : ushort
{
    Ok = 0x0000,
    Version = 0x0001,
    Type = 0x0002,
    Header = 0x0003,
    Length = 0x0004,
    TooLarge = 0x0005,
    Crc = 0x0006,
    Range = 0x0007,
    Argument = 0x0008,
    Hung = 0x0009,
    Capacity = 0x000A,
    InstructionRange = 0x000B,
    InstructionMemoryType = 0x000C,
    ResetFailed = 0x000D,
    Internal = 0x000E,
    Busy = 0x000F,
}

public static class AgentErrorCodeNames
{
    /// <summary>The code as the protocol page names it (<c>E_RANGE</c>, …).</summary>
    public static string WireName(this AgentErrorCode code) => code switch
    {
        AgentErrorCode.Ok => "OK",
        AgentErrorCode.Version => "E_VERSION",
        AgentErrorCode.Type => "E_TYPE",
        AgentErrorCode.Header => "E_HEADER",
        AgentErrorCode.Length => "E_LENGTH",
        AgentErrorCode.TooLarge => "E_TOO_LARGE",
        AgentErrorCode.Crc => "E_CRC",
        AgentErrorCode.Range => "E_RANGE",
        AgentErrorCode.Argument => "E_ARGUMENT",
        AgentErrorCode.Hung => "E_HUNG",
        AgentErrorCode.Capacity => "E_CAPACITY",
        AgentErrorCode.InstructionRange => "E_INSN_RANGE",
        AgentErrorCode.InstructionMemoryType => "E_INSN_MEMTYPE",
        AgentErrorCode.ResetFailed => "E_RESET_FAILED",
        AgentErrorCode.Internal => "E_INTERNAL",
        AgentErrorCode.Busy => "E_BUSY",
        _ => $"0x{(ushort)code:X4}",
    };
}
