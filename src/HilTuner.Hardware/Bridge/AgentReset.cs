namespace HilTuner.Hardware.Bridge;

/// <summary>What a RESET did (docs/protocol.md §6.6).</summary>
public sealed record AgentReset(ResetKind Kind, bool PlResetPulsed, bool ArenaZeroed, bool BitstreamReloaded, int BitstreamStatus, long ElapsedMicroseconds);
