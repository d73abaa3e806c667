namespace HilTuner.Vta.Config;

/// <summary>What a push into a full dependency queue does on a given hardware build.</summary>
public enum DependencyQueueFull
{
    /// <summary>The pusher blocks until the consumer pops (HLS: the queues are AXI-stream FIFOs).</summary>
    Block,

    /// <summary>The token is lost and the pusher goes on (Chisel: the queues are saturating 8-bit counters).</summary>
    Drop,
}
