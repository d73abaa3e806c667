using HilTuner.Compiler;
using System.Collections.Concurrent;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Vta.Runtime;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// The compiler's view of a task's space for tuners that look before they measure: which configurations compile,
/// and each compiled one's model row (<see cref="ProgramFeatures"/>). Compiling is cheap next to a board
/// measurement and it is exact about compile errors, so these tuners never propose a configuration that does not
/// compile. Compilations go through the context's builder and are shared with the session.
/// </summary>
internal sealed class CompiledSpace(TunerContext context)
{
    private readonly ConcurrentDictionary<long, float[]?> _rows = new();
    private readonly ConcurrentDictionary<long, bool> _refused = new();

    public long Size => context.Space.Size;

    /// <summary>The row of a configuration, or null when it does not compile.</summary>
    public float[]? Row(long index) => _rows.GetOrAdd(index, i =>
    {
        var program = context.Builder.Build(context.Task.Workload, context.Space.Get(i), context.Task.Board).Program;
        if (program is null)
        {
            return null;
        }

        _refused[i] = RuntimeChecks.FirstFailure(program.Image, context.Task.Board.Hardware.MaxTransferBytes) is not null;
        return ProgramFeatures.Of(program, context.Task.Board);
    });

    /// <summary>
    /// Whether VTA's host runtime would refuse the compiled program before it reaches the accelerator (its checks in
    /// runtime.cc, e.g. <c>VerifyDep</c>): exact and on the host, like compiling, so a tuner may ask it before measuring.
    /// </summary>
    public bool RuntimeRefuses(long index) => Row(index) is not null && _refused.TryGetValue(index, out var refused) && refused;

    public bool Compiles(long index) => Row(index) is not null;

    /// <summary>Compiles every configuration (in parallel) and returns those that compile, in index order.</summary>
    public IReadOnlyList<long> CompileAll()
    {
        Parallel.For(0L, Size, i => Row(i));
        var compiled = new List<long>();
        for (var i = 0L; i < Size; i++)
        {
            if (Row(i) is not null)
            {
                compiled.Add(i);
            }
        }

        return compiled;
    }

    /// <summary>The rows of <paramref name="indices"/> (all of which compile), row-major, for batch prediction.</summary>
    public float[] Rows(IReadOnlyList<long> indices)
    {
        var width = ProgramFeatures.Count;
        var rows = new float[indices.Count * width];
        for (var k = 0; k < indices.Count; k++)
        {
            Row(indices[k])!.CopyTo(rows, k * width);
        }

        return rows;
    }
}
