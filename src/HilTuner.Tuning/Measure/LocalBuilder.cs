using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Measure;

/// <summary>Compiles in this process with HilTuner's compiler (AutoTVM's <c>LocalBuilder</c>).</summary>
public sealed class LocalBuilder : IBuilder
{
    public static LocalBuilder Instance { get; } = new();

    public CompileResult Build(Workload workload, Configuration configuration, Board board) =>
        VtaCompiler.Compile(workload, configuration, board);
}
