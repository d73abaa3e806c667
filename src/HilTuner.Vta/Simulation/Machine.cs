using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Timing;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// Everything the four units share during a run: configuration, memories, queues, counters and the
/// scheduler's horizon (the key of the earliest other unit that may act next).
/// </summary>
/// <remarks>
/// Out-of-range accesses: the HLS design's index registers are a bit wider than the buffers, so an SRAM index
/// beyond the depth aliases or corrupts silently, and its AXI masters read and write whatever physical
/// address they are given. Neither has a defined result, so the simulator ends the run with a runtime error
/// naming the instruction instead — what a board would do is unknowable, and a tuner must not trust it.
/// </remarks>
internal sealed class Machine
{
    /// <summary>With a shared memory port: the cycle its read channel is free from (fetch, load, micro-op and accumulator loads).</summary>
    private long _readPortFree;

    /// <summary>With a shared memory port: the cycle its write channel is free from (stores).</summary>
    private long _writePortFree;

    public Machine(Board board, DeviceMemory dram)
    {
        Board = board;
        Config = board.Vta;
        Layout = IsaLayout.For(board.Vta);
        Timing = new TimingModel(board);
        Dram = dram;
        Sram = new OnChipMemory(board.Vta, board.Hardware);
        var depth = board.Hardware.DependencyQueueDepth;
        var full = board.Hardware.DependencyQueueFull;
        Queues = Enum.GetValues<DependencyQueueId>().Select(id => new DependencyQueue(id, depth, full)).ToArray();
    }

    public Board Board { get; }
    public VtaConfig Config { get; }
    public IsaLayout Layout { get; }
    public TimingModel Timing { get; }
    public DeviceMemory Dram { get; }
    public OnChipMemory Sram { get; }
    public DependencyQueue[] Queues { get; }
    public ProfilerCounters Counters { get; set; } = new();
    public RaceDetector? Races { get; set; }

    /// <summary>Units may act while their key is below this; waking a unit lowers it.</summary>
    public long Horizon { get; set; }

    /// <summary>Set when the compute module executes FINISH.</summary>
    public bool Finished { get; set; }

    public long FinishTime { get; set; }

    public DependencyQueue Queue(DependencyQueueId id) => Queues[(int)id];

    /// <summary>Frees the memory port at the start of a run.</summary>
    public void ResetPort() => _readPortFree = _writePortFree = 0;

    /// <summary>
    /// A DMA row of <paramref name="bytes"/> at byte <paramref name="address"/> requested at cycle
    /// <paramref name="start"/>: returns the cycle its last beat lands. With a shared port the row's beats take the
    /// channel's bandwidth after every row requested before it: its data starts no earlier than the channel frees up.
    /// </summary>
    /// <remarks>
    /// Rows reserve the channel in the order of their request cycles because a unit requests a row only at a cycle
    /// below the scheduler's horizon (every other unit, and every unit woken later, acts at that cycle or after).
    /// </remarks>
    public long Dma(long start, long bytes, ulong address, bool write)
    {
        var cycles = Timing.DmaRow(bytes, address);
        if (!Timing.SharedPort || bytes == 0)
        {
            return start + cycles;
        }

        ref var free = ref write ? ref _writePortFree : ref _readPortFree;
        var latency = Timing.DmaLatency;
        var end = Math.Max(start + latency, free) + cycles - latency;
        free = end;
        return end;
    }

    /// <summary>
    /// Fetch's read of one instruction (<paramref name="beats"/> beats) it would have at cycle <paramref name="time"/>:
    /// the cycle it has it, later when the shared port's read channel was busy.
    /// </summary>
    public long FetchArrival(long time, long beats)
    {
        if (!Timing.SharedPort)
        {
            return time;
        }

        var arrival = Math.Max(time, _readPortFree + beats);
        _readPortFree = arrival;
        return arrival;
    }

    public void LowerHorizon(long key)
    {
        if (key < Horizon)
        {
            Horizon = key;
        }
    }

    /// <summary>The DRAM buffer holding a 2-D extent, and the byte offset of its first row; faults if any part is unmapped.</summary>
    public (byte[] Data, long Offset) MapExtent(VtaModule module, int pc, long time, ulong firstByte, long extentBytes)
    {
        var buffer = Dram.Find(firstByte, extentBytes)
            ?? throw Fault(module, pc, time, $"DRAM access {Dram.Describe(firstByte, extentBytes)}");
        return (buffer.Data, (long)(firstByte - buffer.PhysicalAddress));
    }

    /// <summary>The DRAM bytes a LOAD or STORE touches: rows of x_size elements, x_stride apart.</summary>
    public (byte[] Data, long Offset) MapRows(MemoryInstruction m, int elementBytes, VtaModule module, int pc, long time)
    {
        if (m.YSize == 0 || m.XSize == 0)
        {
            return ([], 0);
        }

        var extent = (((long)(m.YSize - 1) * m.XStride) + m.XSize) * elementBytes;
        return MapExtent(module, pc, time, (ulong)m.DramBase * (ulong)elementBytes, extent);
    }

    public static SimulationFaultException Fault(VtaModule module, int pc, long time, string reason) =>
        new(new SimulationFault(module, pc, reason, time));
}
