namespace HilTuner.Vta.Simulation;

/// <summary>How a run of the simulated accelerator ended.</summary>
public enum RunStatus
{
    /// <summary>The compute module executed FINISH and raised <c>done</c>.</summary>
    Finished,

    /// <summary>No module can make progress and FINISH was never executed: the board would never raise <c>done</c>.</summary>
    Hang,

    /// <summary>A fault the hardware cannot execute meaningfully: an out-of-range SRAM or DRAM access, an unknown opcode or memory type.</summary>
    RuntimeError,

    /// <summary>Still running when the cycle budget ran out (the host's watchdog would fire).</summary>
    CycleLimitExceeded,
}
