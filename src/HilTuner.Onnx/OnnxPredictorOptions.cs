namespace HilTuner.Onnx;

/// <summary>How an <see cref="OnnxTreePredictor"/> runs OnnxRuntime.</summary>
public sealed record OnnxPredictorOptions
{
    /// <summary>
    /// The most rows one OnnxRuntime call evaluates. A larger call is split into batches of at most this many rows;
    /// larger batches amortise the per-call cost (a few microseconds). Each lane allocates its buffers of
    /// <c>BatchSize × features</c> floats once.
    /// </summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>
    /// Lanes: how many OnnxRuntime calls of one <see cref="OnnxTreePredictor.Predict(ReadOnlySpan{float}, Span{float})"/>
    /// may run at once on separate threads over disjoint parts of the rows (one shared session, one set of buffers per
    /// lane). A call splits into lanes only when every lane gets at least <see cref="MinRowsPerLane"/> rows.
    /// 0 means <see cref="Environment.ProcessorCount"/>. Results do not depend on it.
    /// </summary>
    public int Parallelism { get; init; }

    /// <summary>The fewest rows worth handing to another lane (thread hand-off costs a few microseconds).</summary>
    public int MinRowsPerLane { get; init; } = 32;

    /// <summary>
    /// OnnxRuntime intra-op threads per call. 1 (the default) evaluates each call on its lane's thread, and every row's
    /// probability is then bit-identical whatever the batch it came in. More threads let OnnxRuntime split the trees of
    /// a call across threads, which changes the summation order: results then vary in the last float bit with the
    /// batch size. 0 means <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Whether OnnxRuntime's intra-op worker threads spin while waiting (only with IntraOpThreads &gt; 1).</summary>
    public bool AllowSpinning { get; init; }

    /// <summary>The lanes in effect: <see cref="Parallelism"/>, or the processor count for 0.</summary>
    public int EffectiveParallelism => Parallelism == 0 ? Environment.ProcessorCount : Parallelism;

    internal int EffectiveIntraOpThreads => IntraOpThreads == 0 ? Environment.ProcessorCount : IntraOpThreads;

    /// <summary>
    /// The heads to compute, in this order; null computes every head of the file. The model is cut down to them
    /// before OnnxRuntime loads it, so the others cost nothing.
    /// </summary>
    public IReadOnlyList<string>? Heads { get; init; }

    /// <summary>
    /// Which program evaluates the model: OnnxRuntime (the default), or <see cref="TreeEngine.Managed"/> where
    /// OnnxRuntime has no native library. The managed engine evaluates one row at a time on the calling thread: it
    /// ignores <see cref="BatchSize"/>, <see cref="Parallelism"/> and the thread options.
    /// </summary>
    public TreeEngine Engine { get; init; }

    internal void Validate()
    {
        if (BatchSize is < 1 or > 1 << 20)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be between 1 and 1048576");
        }

        if (Parallelism is < 0 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "must be between 0 and 256");
        }

        if (MinRowsPerLane < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinRowsPerLane), MinRowsPerLane, "must be at least 1");
        }

        if (IntraOpThreads is < 0 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "must be between 0 and 256");
        }
    }
}
