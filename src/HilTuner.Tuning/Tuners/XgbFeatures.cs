using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// What the XGB baseline's cost model sees of a configuration. <see cref="XgbFeatureKind.Program"/>, our equivalent of
/// AutoTVM's <c>itervar</c> (features of the loop nest a configuration lowers to): the program row
/// (<see cref="ProgramFeatures"/>: shape, knobs, board, loop extents and tiles, bytes per DMA stream, instruction and
/// micro-op counts, buffer occupancy, tokens) without the timing model's estimate (the <c>compile.est_*</c> columns);
/// a configuration that does not compile has a row of zeros, as AutoTVM gives a configuration whose features could
/// not be extracted. <see cref="XgbFeatureKind.Knob"/>: the knob values.
/// </summary>
public static class XgbFeatures
{
    private static readonly int[] ProgramColumns =
        [.. ProgramFeatures.Names.Select((name, i) => (name, i)).Where(c => !c.name.StartsWith("compile.est_", StringComparison.Ordinal)).Select(c => c.i)];

    /// <summary>The names of the program features, in row order.</summary>
    public static IReadOnlyList<string> ProgramNames { get; } = [.. ProgramColumns.Select(i => ProgramFeatures.Names[i])];

    /// <summary>The features of <paramref name="configuration"/> of <paramref name="workload"/>, compiled for the context's board.</summary>
    public static float[] Of(XgbFeatureKind kind, TunerContext context, Workload workload, Configuration configuration)
    {
        if (kind == XgbFeatureKind.Knob)
        {
            return KnobFeatures.Of(configuration);
        }

        var program = context.Builder.Build(workload, configuration, context.Task.Board).Program;
        return program is null ? new float[ProgramColumns.Length] : Program(ProgramFeatures.Of(program, context.Task.Board));
    }

    /// <summary>A program row without the timing estimate.</summary>
    public static float[] Program(float[] row) => [.. ProgramColumns.Select(i => row[i])];

    /// <summary>The features of the context's task by configuration index, each computed once.</summary>
    internal static Func<long, float[]> Cached(XgbFeatureKind kind, TunerContext context)
    {
        var cache = new System.Collections.Concurrent.ConcurrentDictionary<long, float[]>();
        return index => cache.GetOrAdd(index, i => Of(kind, context, context.Task.Workload, context.Space.Get(i)));
    }
}
