namespace HilTuner.Hardware.Bridge;

/// <summary>A RUN that started the accelerator (docs/protocol.md §6.5).</summary>
/// <param name="Done">Done was seen; false: no done within the timeout, the agent is now HUNG.</param>
/// <param name="ElapsedMicroseconds">From the start register write until done (or until the agent gave up).</param>
/// <param name="Cycles">The cycle counter after done; 0 without a counter or after a timeout.</param>
public sealed record AgentRun(bool Done, uint InstructionCount, long ElapsedMicroseconds, long Cycles);
