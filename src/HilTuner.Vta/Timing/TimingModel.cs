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
    /// <summary>AXI forbids a burst across a 4 KB address boundary: a row is cut there.</summary>
    public const long AxiBoundaryBytes = 4096;

    public TimingModel(Board board)
    {
        Parameters = board.Timing;
        BusBytes = board.Fabric.AxiDataBusBytes;
        SecondsPerCycle = board.Fabric.SecondsPerCycle;
        FetchCyclesPerInstruction = Math.Max(1, VtaConfig.InstructionBytes / BusBytes);
        var p = Parameters;
        MaxBurstBytes = (long)p.MaxBurstBeats * BusBytes;
        InstructionOverhead = p.InstructionOverheadCycles;
        LoadOverhead = p.LoadOverheadCycles ?? p.InstructionOverheadCycles;
        StoreOverhead = p.StoreOverheadCycles ?? p.InstructionOverheadCycles;
        GemmOverhead = p.GemmOverheadCycles ?? p.InstructionOverheadCycles;
        AluOverhead = p.AluOverheadCycles ?? p.InstructionOverheadCycles;
        UniformOverhead = LoadOverhead == InstructionOverhead && StoreOverhead == InstructionOverhead
            && GemmOverhead == InstructionOverhead && AluOverhead == InstructionOverhead;

        // With no bound on outstanding bursts (or no latency to expose), every burst's round trip hides behind the
        // first and a row costs the same wherever it starts.
        AddressMatters = p.MaxOutstandingBursts < int.MaxValue && p.BurstLatencyCycles > 0;
    }

    public TimingParameters Parameters { get; }

    /// <summary>Bytes one AXI beat carries (the board's data bus width).</summary>
    public int BusBytes { get; }

    public double SecondsPerCycle { get; }

    /// <summary>Bytes of the longest burst (<c>max_burst_beats</c> beats).</summary>
    public long MaxBurstBytes { get; }

    /// <summary>True when a row's cost depends on where it starts (its bursts can wait on the outstanding bound).</summary>
    public bool AddressMatters { get; }

    /// <summary>A row's latency before its first beat.</summary>
    public long DmaLatency => Parameters.DmaLatencyCycles;

    /// <summary>True when the modules' DMA rows share one memory port (the simulator models it; the estimate cannot).</summary>
    public bool SharedPort => Parameters.SharedPort;

    /// <summary>Cycles a module spends taking an instruction without an overhead of its own (FINISH, a NOP) and decoding it.</summary>
    public long InstructionOverhead { get; }

    /// <summary>Fixed cycles of a LOAD that moves data (any memory type).</summary>
    public long LoadOverhead { get; }

    /// <summary>Fixed cycles of a STORE that moves data.</summary>
    public long StoreOverhead { get; }

    /// <summary>Fixed cycles of a GEMM.</summary>
    public long GemmOverhead { get; }

    /// <summary>Fixed cycles of an ALU instruction.</summary>
    public long AluOverhead { get; }

    /// <summary>True when every opcode pays the same instruction overhead (the simulator then needs no decoding to charge it).</summary>
    public bool UniformOverhead { get; }

    /// <summary>Fetch's latency before the first instruction arrives from DRAM.</summary>
    public long FetchLatency => Parameters.FetchLatencyCycles;

    /// <summary>Beats fetch reads per 128-bit instruction.</summary>
    public long FetchCyclesPerInstruction { get; }

    /// <summary>Cycles between a push and the token being visible to the consumer.</summary>
    public long TokenLatency => Parameters.TokenLatencyCycles;

    /// <summary>The fixed cost of an instruction of <paramref name="opcode"/>; <paramref name="nop"/>: a LOAD or STORE that moves nothing.</summary>
    public long Overhead(Opcode opcode, bool nop) => opcode switch
    {
        Opcode.Load => nop ? InstructionOverhead : LoadOverhead,
        Opcode.Store => nop ? InstructionOverhead : StoreOverhead,
        Opcode.Gemm => GemmOverhead,
        Opcode.Alu => AluOverhead,
        _ => InstructionOverhead,
    };

    /// <summary>The fixed cost of the encoded instruction <paramref name="word"/>.</summary>
    public long Overhead(IsaLayout layout, InstructionWord word)
    {
        if (UniformOverhead)
        {
            return InstructionOverhead;
        }

        var opcode = (Opcode)word.OpcodeBits;
        return Overhead(opcode, opcode is Opcode.Load or Opcode.Store && layout.XSize.Extract(word) == 0);
    }

    /// <summary>AXI beats that carry <paramref name="bytes"/>.</summary>
    public long Beats(long bytes) => (bytes + BusBytes - 1) / BusBytes;

    /// <summary>
    /// The AXI bursts of a row of <paramref name="bytes"/> starting at byte <paramref name="address"/>: at most
    /// <c>max_burst_beats</c> beats each, cut at every 4 KB boundary.
    /// </summary>
    public long Bursts(long bytes, ulong address)
    {
        if (bytes <= 0)
        {
            return 0;
        }

        var first = Math.Min(bytes, AxiBoundaryBytes - (long)(address % AxiBoundaryBytes));
        var rest = bytes - first;
        return CeilDiv(first, MaxBurstBytes) + (rest / AxiBoundaryBytes * CeilDiv(AxiBoundaryBytes, MaxBurstBytes))
            + CeilDiv(rest % AxiBoundaryBytes, MaxBurstBytes);
    }

    /// <summary>
    /// One DMA transfer (one 2-D row, or one micro-op kernel) of <paramref name="bytes"/> from byte
    /// <paramref name="address"/>: the row's latency, one beat per bus width, and for every further window of
    /// <c>max_outstanding_bursts</c> bursts the part of a burst's round trip that the window before did not cover.
    /// </summary>
    /// <remarks>
    /// Burst <c>i</c> is requested when burst <c>i - O</c> completes and its data follows <c>burst_latency_cycles</c>
    /// later; with bursts of <c>b</c> beats (the row's mean, rounded down) the data of the <c>O - 1</c> bursts between
    /// hides <c>(O - 1) b</c> cycles of that, so each window after the first waits <c>max(0, L - (O - 1) b)</c>.
    /// </remarks>
    public long DmaRow(long bytes, ulong address)
    {
        var beats = Beats(bytes);
        var cycles = Parameters.DmaLatencyCycles + beats;
        if (!AddressMatters)
        {
            return cycles;
        }

        long outstanding = Parameters.MaxOutstandingBursts;
        var bursts = Bursts(bytes, address);
        if (bursts <= outstanding)
        {
            return cycles;
        }

        var wait = Parameters.BurstLatencyCycles - ((outstanding - 1) * (beats / bursts));
        return wait <= 0 ? cycles : cycles + ((CeilDiv(bursts, outstanding) - 1) * wait);
    }

    /// <summary>Zero padding the load module writes into SRAM, <paramref name="elements"/> elements of it.</summary>
    public long Padding(long elements) => elements * Parameters.PadCyclesPerElement;

    /// <summary>A LOAD of <paramref name="count"/> micro-ops into the micro-op cache from byte <paramref name="address"/>: one transfer.</summary>
    public long MicroOpLoad(long count, ulong address) => DmaRow(count * VtaConfig.MicroOpBytes, address);

    /// <summary>
    /// A LOAD or STORE, closed form: rows of DMA and every padding element (the instruction's overhead not included).
    /// <paramref name="m"/>'s <c>dram_base</c> places its rows (it matters only when <see cref="AddressMatters"/>).
    /// </summary>
    public long Transfer(MemoryInstruction m, int elementBytes)
    {
        var xPad = (long)m.XPad0 + m.XPad1;
        var yPad = (long)m.YPad0 + m.YPad1;
        var padElements = (xPad * (yPad + m.YSize)) + (yPad * m.XSize);
        var rowBytes = (long)m.XSize * elementBytes;
        var first = (ulong)m.DramBase * (ulong)elementBytes;
        if (!AddressMatters || m.YSize == 0)
        {
            return (m.YSize * DmaRow(rowBytes, first)) + Padding(padElements);
        }

        var rows = 0L;
        var stride = (ulong)m.XStride * (ulong)elementBytes;
        for (var y = 0UL; y < m.YSize; y++)
        {
            rows += DmaRow(rowBytes, first + (y * stride));
        }

        return rows + Padding(padElements);
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

    /// <summary>
    /// Board seconds of one call of a program: the accelerator's <paramref name="cycles"/> at the fabric clock, plus
    /// the host's side of the call — the launch (register writes, completion polling), building its
    /// <paramref name="instructions"/> instructions, and copying them (16 bytes each) and its
    /// <paramref name="microOpBytes"/> bytes of micro-op kernels into DRAM.
    /// </summary>
    public double Seconds(long cycles, long instructions = 0, long microOpBytes = 0)
    {
        var p = Parameters;
        var copied = (instructions * VtaConfig.InstructionBytes) + microOpBytes;
        return (cycles * SecondsPerCycle) + (p.LaunchOverheadMicroseconds * 1e-6)
            + (((copied * p.HostCopyNanosecondsPerByte) + (instructions * p.HostPerInstructionNanoseconds)) * 1e-9);
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
