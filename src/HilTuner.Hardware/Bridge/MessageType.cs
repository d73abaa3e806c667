namespace HilTuner.Hardware.Bridge;

/// <summary>The message types of the board agent's wire protocol (docs/protocol.md §6).</summary>
public enum MessageType : byte
{
    Hello = 1,
    Write = 2,
    Read = 3,
    Run = 4,
    Reset = 5,
    Status = 6,
}
