using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Timing;

/// <summary>
/// VTA's timing, every cost formula in one place, in fabric clock cycles (and seconds for a whole run): what an
/// instruction, a DMA row, a row of padding, a micro-op and a loop iteration cost. The simulator charges these as it
/// runs (step by step, so that its four modules overlap as the hardware's do); the compiler's estimate (the
/// <c>est_*</c> compile features) sums the same formulas in closed form, one module at a time.
/// </summary>
/// <remarks>
/// The parameters come from the board file's <c>timing</c> section (<see cref="TimingParameters"/>) and its AXI width
/// and fabric clock. What the model covers and what it leaves out is written in docs/architecture.md ("The timing
/// model").
/// </remarks>
public sealed class TimingModel
{
    public TimingModel(Board board)
    {
        Parameters = board.Timing;
        BusBytes = board.Fabric.AxiDataBusBytes;
        SecondsPerCycle = board.Fabric.SecondsPerCycle;
        FetchCyclesPerInstruction = Math.Max(1, VtaConfig.InstructionBytes / BusBytes);
    }

    public TimingParameters Parameters { get; }

    /// <summary>Bytes one AXI beat carries (the board's data bus width).</summary>
    public int BusBytes { get; }

    public double SecondsPerCycle { get; }

    /// <summary>Cycles a module spends taking an instruction from its command queue and decoding it.</summary>
    public long InstructionOverhead => Parameters.InstructionOverheadCycles;

    /// <summary>Fetch's latency before the first instruction arrives from DRAM.</summary>
    public long FetchLatency => Parameters.FetchLatencyCycles;

    /// <summary>Beats fetch reads per 128-bit instruction.</summary>
    public long FetchCyclesPerInstruction { get; }

    /// <summary>Cycles between a push and the token being visible to the consumer.</summary>
    public long TokenLatency => Parameters.TokenLatencyCycles;

    /// <summary>AXI beats that carry <paramref name="bytes"/>.</summary>
    public long Beats(long bytes) => (bytes + BusBytes - 1) / BusBytes;

    /// <summary>One DMA transfer (one 2-D row, or one micro-op kernel): the request's latency, then one beat per bus width.</summary>
    public long DmaRow(long bytes) => Parameters.DmaLatencyCycles + Beats(bytes);

    /// <summary>Zero padding the load module writes into SRAM, <paramref name="elements"/> elements of it.</summary>
    public long Padding(long elements) => elements * Parameters.PadCyclesPerElement;

    /// <summary>One row of a padded LOAD: its left and right padding, then its DMA transfer.</summary>
    public long PaddedRow(long xPad, long xSize, int elementBytes) => Padding(xPad) + DmaRow(xSize * elementBytes);

    /// <summary>A LOAD of <paramref name="count"/> micro-ops into the micro-op cache: one transfer.</summary>
    public long MicroOpLoad(long count) => DmaRow(count * VtaConfig.MicroOpBytes);

    /// <summary>A LOAD or STORE, closed form: rows of DMA and every padding element (the instruction's overhead not included).</summary>
    public long Transfer(MemoryInstruction m, int elementBytes)
    {
        var xPad = (long)m.XPad0 + m.XPad1;
        var yPad = (long)m.YPad0 + m.YPad1;
        var padElements = (xPad * (yPad + m.YSize)) + (yPad * m.XSize);
        return (m.YSize * DmaRow((long)m.XSize * elementBytes)) + Padding(padElements);
    }

    /// <summary>Cycles per micro-op of the GEMM loop (its initiation interval).</summary>
    public long GemmMicroOp => Parameters.GemmCyclesPerUop;

    /// <summary>Cycles the GEMM pipeline takes to drain at the end of every inner-loop iteration.</summary>
    public long GemmDrain => Parameters.GemmPipelineDepth;

    /// <summary>Cycles per micro-op of the ALU loop.</summary>
    public long AluMicroOp => Parameters.AluCyclesPerUop;

    /// <summary>Cycles the ALU pipeline takes to drain at the end of every inner-loop iteration.</summary>
    public long AluDrain => Parameters.AluPipelineDepth;

    /// <summary>A GEMM instruction's loops, closed form: every iteration runs the micro-ops, then drains.</summary>
    public long Gemm(long iterations, long microOps) => iterations * ((microOps * GemmMicroOp) + GemmDrain);

    /// <summary>An ALU instruction's loops, closed form.</summary>
    public long Alu(long iterations, long microOps) => iterations * ((microOps * AluMicroOp) + AluDrain);

    /// <summary>Board seconds of a run of <paramref name="cycles"/> cycles: the accelerator's time plus the host's cost of a launch.</summary>
    public double Seconds(long cycles) => (cycles * SecondsPerCycle) + (Parameters.LaunchOverheadMicroseconds * 1e-6);
}
