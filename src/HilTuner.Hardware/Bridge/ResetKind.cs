namespace HilTuner.Hardware.Bridge;

/// <summary>The agent's two resets (docs/protocol.md §6.6).</summary>
public enum ResetKind : byte
{
    /// <summary>Pulse the PL reset, clear the run state.</summary>
    Soft = 0,

    /// <summary>Soft, then zero the arena and run the bitstream reload command.</summary>
    Hard = 1,
}
