namespace HilTuner.Vta.Config;

/// <summary>
/// Parameters of the simulator's timing model, in fabric clock cycles (the host-side ones in nanoseconds or
/// microseconds). They live in the board file's <c>timing</c> section so that a board calibrated against real
/// measurements can adjust them. Each says its meaning, unit and the upstream source it stands for; the defaults of
/// the burst, shared-port, per-opcode and host parameters leave the model as it was before they existed.
/// </summary>
public sealed record TimingParameters
{
    /// <summary>
    /// A DMA row's latency before its first beat (<c>dma_latency_cycles</c>, cycles): the HLS <c>memcpy</c>'s request
    /// set-up and its first burst's round trip through the SmartConnect and the ACP (apache/tvm-vta vta.cc
    /// <c>load_2d</c>/<c>load_pad_2d</c>/<c>store</c>, one <c>memcpy</c> per row; vivado.tcl <c>axi_smc0</c> into
    /// <c>S_AXI_ACP</c>).
    /// </summary>
    public int DmaLatencyCycles { get; init; } = 24;

    /// <summary>
    /// Longest AXI burst in beats (<c>max_burst_beats</c>): a row is cut into bursts of at most this many beats, and at
    /// every 4 KB address boundary (AXI forbids a burst across one). Default 16: the HLS <c>m_axi</c>
    /// <c>max_read_burst_length</c>/<c>max_write_burst_length</c> default, which vta.cc does not override; the Zynq-7000
    /// ACP is AXI3, 16 beats at most.
    /// </summary>
    public int MaxBurstBeats { get; init; } = 16;

    /// <summary>
    /// Round trip of one burst (<c>burst_latency_cycles</c>, cycles) that a row's later bursts expose when the
    /// outstanding bound holds their request back (see <see cref="MaxOutstandingBursts"/>). Default 24, the same round
    /// trip as <see cref="DmaLatencyCycles"/>.
    /// </summary>
    public int BurstLatencyCycles { get; init; } = 24;

    /// <summary>
    /// Bursts a master may have in flight (<c>max_outstanding_bursts</c>): burst <c>i</c> is requested only when burst
    /// <c>i - max_outstanding_bursts</c> has completed, so every further window of that many bursts waits
    /// <c>max(0, burst_latency_cycles - (max_outstanding_bursts - 1) * burst beats)</c> cycles. HLS's
    /// <c>num_read_outstanding</c> default is 16, the Zynq-7000 ACP accepts fewer (UG585: 7 reads, 3 writes; not
    /// verified). Default <see cref="int.MaxValue"/>: no bound, every burst's latency hidden behind the first.
    /// </summary>
    public int MaxOutstandingBursts { get; init; } = int.MaxValue;

    /// <summary>
    /// One memory port shared by all modules (<c>shared_port</c>): fetch, load, compute and store reach DRAM through
    /// one SmartConnect into one PS port (vivado.tcl: <c>axi_smc0</c>, 5 masters, 1 slave port, into
    /// <c>S_AXI_ACP</c>), so rows of different modules that overlap in time share its one beat per cycle — reads
    /// (fetch, load, micro-op and accumulator loads) on the read channel, stores on the write channel. Off by default
    /// (each module's DMA has the bus to itself); the simulator models it, the compiler's closed-form estimate cannot.
    /// </summary>
    public bool SharedPort { get; init; }

    /// <summary>
    /// Cycles a module spends taking an instruction from its command queue and decoding it
    /// (<c>instruction_overhead_cycles</c>): every instruction without a per-opcode overhead of its own — FINISH, and
    /// the NOPs that carry tokens (vta_cost.py: 38–50 cycles per NOP on the intelfocl build).
    /// </summary>
    public int InstructionOverheadCycles { get; init; } = 4;

    /// <summary>
    /// Fixed cycles of a LOAD that moves data, any memory type (<c>load_overhead_cycles</c>); absent: the instruction
    /// overhead. apache/tvm-vta config/vta_cost.py measured about 150 cycles of set-up per load on another build
    /// (intelfocl, 32×32 GEMM).
    /// </summary>
    public int? LoadOverheadCycles { get; init; }

    /// <summary>Fixed cycles of a STORE that moves data (<c>store_overhead_cycles</c>); absent: the instruction overhead (vta_cost.py: ~150).</summary>
    public int? StoreOverheadCycles { get; init; }

    /// <summary>Fixed cycles of a GEMM (<c>gemm_overhead_cycles</c>); absent: the instruction overhead (vta_cost.py: 80).</summary>
    public int? GemmOverheadCycles { get; init; }

    /// <summary>Fixed cycles of an ALU instruction (<c>alu_overhead_cycles</c>); absent: the instruction overhead (vta_cost.py: 46).</summary>
    public int? AluOverheadCycles { get; init; }

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

    /// <summary>
    /// Host-side cost of one launch (<c>launch_overhead_us</c>, microseconds), added to the board seconds of a run: the
    /// register writes of <c>VTADeviceRun</c> (11 MMIO writes over GP0) and the completion polling that follows
    /// (apache/tvm-vta src/pynq/pynq_driver.cc <c>VTADevice::Run</c>).
    /// </summary>
    public double LaunchOverheadMicroseconds { get; init; } = 20;

    /// <summary>
    /// Host time per byte the runtime copies into DRAM before a launch (<c>host_copy_ns_per_byte</c>, nanoseconds): the
    /// instruction stream (16 bytes an instruction) and every micro-op kernel the program uses, copied again at every
    /// call (apache/tvm vta/runtime/runtime.cc <c>UopQueue::ReadBarrier</c>, <c>InsnQueue</c>'s, and
    /// <c>UopQueue::Reset</c> after each <c>Synchronize</c>). The reciprocal of the host's copy bandwidth; default 0,
    /// not charged.
    /// </summary>
    public double HostCopyNanosecondsPerByte { get; init; }

    /// <summary>
    /// Host time per instruction the runtime builds (<c>host_per_instruction_ns</c>, nanoseconds): every call of the
    /// operator appends each instruction anew (runtime.cc <c>InsnQueue</c>, the <c>VTALoadBuffer2D</c>/
    /// <c>VTAPushGEMMOp</c>/<c>VTADepPush</c> calls of the lowered function). Default 0, not charged.
    /// </summary>
    public double HostPerInstructionNanoseconds { get; init; }
}
