using HilTuner.Vta.Config;

namespace HilTuner.Hardware.CoSim;

/// <summary>Where the co-simulation device finds what the agent's command line gives it (docs/protocol.md §9.4, §9.5, §11).</summary>
public sealed record CoSimOptions
{
    /// <summary>Where the device writes the simulated cycle count (the agent's <c>--cycle-counter</c>); null: none.</summary>
    public ulong? CycleCounter { get; init; }

    /// <summary>The PL reset register the agent pulses on a soft reset (its <c>--reset-reg</c>); null: none.</summary>
    public ulong? ResetRegister { get; init; }

    /// <summary>The value that means "in reset" (the agent's <c>--reset-assert</c>).</summary>
    public uint ResetAssert { get; init; } = 0xF;

    /// <summary>Added to physical addresses to form VTA's bus addresses (the agent's <c>--dev-addr-offset</c>).</summary>
    public ulong DeviceAddressOffset { get; init; }

    /// <summary>A run still going after this many simulated cycles never raises done.</summary>
    public long MaxCycles { get; init; } = 1L << 36;

    /// <summary>The agent's defaults for a board: the cycle-counter page CI uses (HLS) or the VCR's own counter (Chisel), the Zynq-7000 SLCR reset on PYNQ, the DE10-Nano's bus offset.</summary>
    public static CoSimOptions For(Board board) => board.Hardware.Build == HardwareBuild.Chisel
        ? new CoSimOptions { CycleCounter = board.Registers.Fetch + 0x04, DeviceAddressOffset = 0x8000_0000 }
        : new CoSimOptions
        {
            CycleCounter = board.Registers.Fetch + HlsCycleCounterOffset,
            ResetRegister = board.Vta.Target == "pynq" ? 0xF800_0240 : null,
        };

    /// <summary>From the fetch module's base to an otherwise unused page where CI's agents read the cycle counter (0x43C10000 on PYNQ).</summary>
    public const ulong HlsCycleCounterOffset = 0x1_0000;
}
