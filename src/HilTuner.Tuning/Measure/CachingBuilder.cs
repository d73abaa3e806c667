using System.Collections.Concurrent;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Measure;

/// <summary>
/// Compiles each configuration once and answers repeats from memory: for tuners that compile candidates
/// before choosing (the compile features feed their models) and for benchmarks that tune the same space many
/// times. Compilation is deterministic, so a cached result is the result.
/// </summary>
public sealed class CachingBuilder(IBuilder inner) : IBuilder
{
    private readonly ConcurrentDictionary<(Workload Workload, string Board, long Index), Lazy<CompileResult>> _cache = new();

    public CompileResult Build(Workload workload, Configuration configuration, Board board) =>
        _cache.GetOrAdd((workload, board.Source, configuration.Index),
            _ => new Lazy<CompileResult>(() => inner.Build(workload, configuration, board))).Value;

    /// <summary>Configurations compiled so far.</summary>
    public int Count => _cache.Count;
}
