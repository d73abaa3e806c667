namespace HilTuner.Vta.Isa;

/// <summary>The four dependency-token queues between the load, compute and store modules.</summary>
public enum DependencyQueueId
{
    /// <summary>l2g: load → compute (RAW: input / weight data is in SRAM).</summary>
    LoadToCompute,

    /// <summary>g2l: compute → load (WAR: compute is done reading, load may overwrite).</summary>
    ComputeToLoad,

    /// <summary>g2s: compute → store (RAW: results are in the output buffer).</summary>
    ComputeToStore,

    /// <summary>s2g: store → compute (WAR: store is done reading, compute may overwrite).</summary>
    StoreToCompute,
}

public static class DependencyQueueNames
{
    /// <summary>VTA's short name: l2g, g2l, g2s, s2g.</summary>
    public static string ShortName(this DependencyQueueId queue) => queue switch
    {
        DependencyQueueId.LoadToCompute => "l2g",
        DependencyQueueId.ComputeToLoad => "g2l",
        DependencyQueueId.ComputeToStore => "g2s",
        DependencyQueueId.StoreToCompute => "s2g",
        _ => throw new ArgumentOutOfRangeException(nameof(queue)),
    };
}
