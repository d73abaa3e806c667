namespace HilTuner.Vta.Config;

/// <summary>
/// The limits of one hardware build that the configuration numbers do not say: the compiler's view of the
/// accelerator comes from <see cref="VtaConfig"/>, the board enforces these.
/// </summary>
public sealed record HardwareLimits
{
    public required HardwareBuild Build { get; init; }

    /// <summary>Micro-ops the board's micro-op SRAM really holds (Chisel builds: 2048, whatever LOG_UOP_BUFF_SIZE says).</summary>
    public required int UopBufferDepth { get; init; }

    /// <summary>Tokens each of the four dependency queues holds (HLS: 1024-entry FIFOs; Chisel: 255 in an 8-bit counter).</summary>
    public required int DependencyQueueDepth { get; init; }

    public required DependencyQueueFull DependencyQueueFull { get; init; }

    /// <summary>Instructions each command queue between fetch and load / compute / store holds (512 on the Xilinx builds).</summary>
    public required int CommandQueueDepth { get; init; }

    /// <summary>
    /// Micro-op iterations after one that writes an accumulator during which a read of that accumulator still
    /// sees the old value. The HLS design declares no loop-carried dependence on the accumulator
    /// (<c>DEPENDENCE inter false</c>) to reach II = 1, so a read within the GEMM pipeline's write latency misses
    /// the write; VTA's runtime refuses kernels whose micro-ops write one accumulator two cycles in a row
    /// (<c>VerifyDep</c>, a window of 2) for this reason, but cannot see repeats that only loops create.
    /// </summary>
    public int AccHazardWindow { get; init; } = 2;

    /// <summary>Largest transfer the runtime accepts, in bytes (<c>VTA_MAX_XFER</c>, 32 MiB).</summary>
    public long MaxTransferBytes { get; init; } = 1L << 25;
}
