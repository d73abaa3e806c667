using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Measure;

/// <summary>AutoTVM's builder: turns a configuration of a workload into a program for a board, or says why not.</summary>
public interface IBuilder
{
    /// <summary>Compiles; safe to call from several threads at once.</summary>
    CompileResult Build(Workload workload, Configuration configuration, Board board);
}
