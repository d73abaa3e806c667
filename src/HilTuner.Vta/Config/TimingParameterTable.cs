using System.Globalization;

namespace HilTuner.Vta.Config;

/// <summary>
/// One parameter of the timing model as the board file's <c>timing</c> section names it: its unit, default, bounds,
/// meaning and upstream source, and how to read it from and set it in a <see cref="TimingParameters"/>. Values are
/// handled as doubles; <see cref="IsWhole"/> parameters (cycle counts) are whole numbers in the board file and in the
/// simulator, and <see cref="With"/> rounds them. A <see cref="HostSide"/> parameter changes only the seconds the host
/// adds to a run (<see cref="Timing.TimingModel.Seconds"/>), never the accelerator's cycles.
/// </summary>
public sealed record TimingParameter(
    string Name,
    string Unit,
    bool IsWhole,
    double Min,
    double Max,
    string Meaning,
    string Source,
    Func<TimingParameters, double> Get,
    Func<TimingParameters, double, TimingParameters> Set,
    bool HostSide = false)
{
    /// <summary>The value a board file without this key gets.</summary>
    public double Default => Get(new TimingParameters());

    /// <summary>
    /// <paramref name="timing"/> with this parameter set to <paramref name="value"/>, clamped to the parameter's bounds
    /// (and rounded to a whole number when it is one).
    /// </summary>
    public TimingParameters With(TimingParameters timing, double value)
    {
        var clamped = Math.Clamp(value, Min, Max);
        return Set(timing, IsWhole ? Math.Round(clamped, MidpointRounding.AwayFromZero) : clamped);
    }

    /// <summary>The value for people: a whole number for whole parameters, else at most 3 decimals.</summary>
    public string Format(double value) =>
        IsWhole ? ((long)Math.Round(value)).ToString(CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>
/// Every timing parameter in one table: the board-file reader, <c>hiltuner calibrate</c> (which fits those a board file
/// marks free) and the documentation all use it. A new parameter of <see cref="TimingParameters"/> gets one row here.
/// </summary>
public static class TimingParameterTable
{
    private const string CycleRange = "cycles";

    /// <summary>The key of the <c>timing</c> section that lists the parameters <c>hiltuner calibrate</c> may fit.</summary>
    public const string FreeKey = "free";

    public static IReadOnlyList<TimingParameter> All { get; } =
    [
        Whole("dma_latency_cycles", 0, "latency of one DMA transfer (one 2-D row, or a micro-op kernel) before its first beat: AXI request to first data",
            "tvm-vta hardware/xilinx/src/vta.cc load_2d/load_pad_2d (one memcpy per row); vivado.tcl (all masters through one SmartConnect into S_AXI_ACP); no published figure, calibrated",
            t => t.DmaLatencyCycles, (t, v) => t with { DmaLatencyCycles = (int)v }),
        Whole("instruction_overhead_cycles", 0, "cycles a module spends taking an instruction from its command queue and decoding it",
            "tvm-vta hardware/xilinx/src/vta.cc load/compute/store (one auto-restarted HLS call per instruction); config/vta_cost.py gives 38-150 on an Intel OpenCL build",
            t => t.InstructionOverheadCycles, (t, v) => t with { InstructionOverheadCycles = (int)v }),
        Whole("fetch_latency_cycles", 0, "fetch's latency before the first instruction arrives from DRAM",
            "tvm-vta hardware/xilinx/src/vta.cc fetch (INSN_DECODE loop over the ins_port master)",
            t => t.FetchLatencyCycles, (t, v) => t with { FetchLatencyCycles = (int)v }),
        Whole("token_latency_cycles", 0, "cycles between a dependency-token push and the token being visible to the consumer",
            "tvm-vta hardware/xilinx/scripts/vivado.tcl (dep_queue_list: fifo_generator AXI-stream FIFOs)",
            t => t.TokenLatencyCycles, (t, v) => t with { TokenLatencyCycles = (int)v }),
        Whole("gemm_cycles_per_uop", 1, "initiation interval of the GEMM micro-op loop",
            "tvm-vta hardware/xilinx/src/vta.cc gemm() READ_GEMM_UOP: #pragma HLS PIPELINE II = 1",
            t => t.GemmCyclesPerUop, (t, v) => t with { GemmCyclesPerUop = (int)v }),
        Whole("gemm_pipeline_depth", 0, "pipeline depth of the GEMM core, paid on every entry into the micro-op loop (each inner iteration)",
            "tvm-vta hardware/xilinx/src/vta.cc gemm() (the II=1 pipeline sits on the innermost loop only, so it fills and drains per iteration); depth not published, calibrated",
            t => t.GemmPipelineDepth, (t, v) => t with { GemmPipelineDepth = (int)v }),
        Whole("alu_cycles_per_uop", 1, "initiation interval of the ALU micro-op loop (one register-file read port)",
            "tvm-vta hardware/xilinx/src/vta.cc alu() READ_ALU_UOP: #pragma HLS PIPELINE II = 2",
            t => t.AluCyclesPerUop, (t, v) => t with { AluCyclesPerUop = (int)v }),
        Whole("alu_pipeline_depth", 0, "pipeline depth of the tensor ALU, paid on every entry into the micro-op loop",
            "tvm-vta hardware/xilinx/src/vta.cc alu(); depth not published, calibrated",
            t => t.AluPipelineDepth, (t, v) => t with { AluPipelineDepth = (int)v }),
        Whole("pad_cycles_per_element", 0, "cycles per element the load module spends writing zero padding into SRAM",
            "tvm-vta hardware/xilinx/src/vta.cc load_pad_2d (reset_mem and the x_pad loops write zeros one element at a time)",
            t => t.PadCyclesPerElement, (t, v) => t with { PadCyclesPerElement = (int)v }),
        Whole("burst_latency_cycles", 0, "round trip of one AXI burst that a row's later bursts expose when max_outstanding_bursts holds their request back",
            "tvm-vta hardware/xilinx/src/vta.cc (HLS m_axi masters, num_read_outstanding default 16); vivado.tcl (S_AXI_ACP); no published figure",
            t => t.BurstLatencyCycles, (t, v) => t with { BurstLatencyCycles = (int)v }),
        Whole("load_overhead_cycles", 0, "fixed cycles of a LOAD that moves data (absent: instruction_overhead_cycles)",
            "apache/tvm-vta config/vta_cost.py (about 150 cycles of set-up per load, measured on an intelfocl build)",
            t => t.LoadOverheadCycles ?? t.InstructionOverheadCycles, (t, v) => t with { LoadOverheadCycles = (int)v }),
        Whole("store_overhead_cycles", 0, "fixed cycles of a STORE that moves data (absent: instruction_overhead_cycles)",
            "apache/tvm-vta config/vta_cost.py (about 150 cycles per store on an intelfocl build)",
            t => t.StoreOverheadCycles ?? t.InstructionOverheadCycles, (t, v) => t with { StoreOverheadCycles = (int)v }),
        Whole("gemm_overhead_cycles", 0, "fixed cycles of a GEMM instruction (absent: instruction_overhead_cycles)",
            "apache/tvm-vta config/vta_cost.py (80 cycles per GEMM on an intelfocl build)",
            t => t.GemmOverheadCycles ?? t.InstructionOverheadCycles, (t, v) => t with { GemmOverheadCycles = (int)v }),
        Whole("alu_overhead_cycles", 0, "fixed cycles of an ALU instruction (absent: instruction_overhead_cycles)",
            "apache/tvm-vta config/vta_cost.py (46 cycles per ALU instruction on an intelfocl build)",
            t => t.AluOverheadCycles ?? t.InstructionOverheadCycles, (t, v) => t with { AluOverheadCycles = (int)v }),
        new("host_copy_ns_per_byte", "nanoseconds", false, 0, 1e6,
            "host time per byte the runtime copies into DRAM before a launch (instruction stream and micro-op kernels)",
            "apache/tvm vta/runtime/runtime.cc UopQueue::ReadBarrier, InsnQueue, UopQueue::Reset after each Synchronize",
            t => t.HostCopyNanosecondsPerByte, (t, v) => t with { HostCopyNanosecondsPerByte = v }, HostSide: true),
        new("host_per_instruction_ns", "nanoseconds", false, 0, 1e9,
            "host time per instruction the runtime builds at every call of the operator",
            "apache/tvm vta/runtime/runtime.cc InsnQueue (VTALoadBuffer2D, VTAPushGEMMOp, VTADepPush calls of the lowered function)",
            t => t.HostPerInstructionNanoseconds, (t, v) => t with { HostPerInstructionNanoseconds = v }, HostSide: true),
        new("launch_overhead_us", "microseconds", false, 0, 1e6,
            "host-side cost of one launch (register writes, polling), added to the board seconds of a run",
            "apache/tvm vta/src/pynq/pynq_driver.cc VTADeviceRun (MMIO writes, then polling the compute module's done flag); no published figure, calibrated",
            t => t.LaunchOverheadMicroseconds, (t, v) => t with { LaunchOverheadMicroseconds = v }, HostSide: true),
    ];

    /// <summary>
    /// The timing section's keys that are the bus's shape or a switch rather than a cost (the board reader reads them
    /// itself, calibration does not fit them): <c>max_burst_beats</c>, <c>max_outstanding_bursts</c>, <c>shared_port</c>.
    /// </summary>
    public static IReadOnlyList<string> Structural { get; } = ["max_burst_beats", "max_outstanding_bursts", "shared_port"];

    /// <summary>The parameter of a board-file key, or null.</summary>
    public static TimingParameter? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>
    /// <paramref name="timing"/> with every host-side parameter at its default: two parameter sets with the same
    /// accelerator part give the same cycles.
    /// </summary>
    public static TimingParameters AcceleratorPart(TimingParameters timing) =>
        All.Where(p => p.HostSide).Aggregate(timing, (t, p) => p.Set(t, p.Default));

    /// <summary>The names, for messages.</summary>
    public static string Names => string.Join(", ", All.Select(p => p.Name));

    private static TimingParameter Whole(string name, int min, string meaning, string source,
        Func<TimingParameters, int> get, Func<TimingParameters, double, TimingParameters> set) =>
        new(name, CycleRange, true, min, Board.MaxTimingCycles, meaning, source, t => get(t), set);
}
