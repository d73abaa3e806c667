namespace HilTuner.Vta.Config;

/// <summary>
/// Parameters of the simulator's timing model, in fabric clock cycles. They live in the board file so that
/// a board calibrated against real measurements can adjust them.
/// </summary>
public sealed record TimingParameters
{
    /// <summary>Latency of one DMA transfer (one 2-D row) before its first beat: AXI request to first data.</summary>
    public int DmaLatencyCycles { get; init; } = 24;

    /// <summary>Cycles a module spends taking an instruction from its command queue and decoding it.</summary>
    public int InstructionOverheadCycles { get; init; } = 4;

    /// <summary>Fetch's latency before the first instruction arrives from DRAM.</summary>
    public int FetchLatencyCycles { get; init; } = 24;

    /// <summary>Cycles between a push and the token being visible to the consumer.</summary>
    public int TokenLatencyCycles { get; init; } = 1;

    /// <summary>Initiation interval of the GEMM micro-op loop (HLS: II = 1).</summary>
    public int GemmCyclesPerUop { get; init; } = 1;

    /// <summary>Pipeline depth of the GEMM core: paid on every entry into the micro-op loop (each inner iteration).</summary>
    public int GemmPipelineDepth { get; init; } = 5;

    /// <summary>Initiation interval of the ALU micro-op loop (HLS: II = 2, one register-file read port).</summary>
    public int AluCyclesPerUop { get; init; } = 2;

    /// <summary>Pipeline depth of the tensor ALU: paid on every entry into the micro-op loop.</summary>
    public int AluPipelineDepth { get; init; } = 5;

    /// <summary>Cycles per element the load module spends writing zero padding into SRAM.</summary>
    public int PadCyclesPerElement { get; init; } = 1;

    /// <summary>Host-side cost of one launch (register writes, polling), added to the board seconds of a run.</summary>
    public double LaunchOverheadMicroseconds { get; init; } = 20;
}
