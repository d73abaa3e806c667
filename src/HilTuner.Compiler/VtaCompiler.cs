using HilTuner.Compiler.Lowering;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Compiler;

/// <summary>
/// Compiles a workload with a configuration of its template into a VTA program for a board's configuration,
/// refusing what TVM's flow refuses: copies that are not one 2-D DMA, buffers larger than their SRAM scope,
/// and loop nests the GEMM intrinsic cannot tensorize. What VTA's host runtime refuses (a micro-op kernel larger
/// than the micro-op buffer, <c>VerifyDep</c>) compiles, as it does in TVM, and is refused by
/// <see cref="HilTuner.Vta.Runtime.RuntimeChecks"/> before a run; a value too wide for its instruction field is
/// truncated as the runtime's bit-field assignments truncate it (see <see cref="Lowering.ProgramBuilder"/>). The compiler
/// sees the board through its VTA configuration only; what a particular build enforces beyond that (the Chisel
/// build's smaller micro-op buffer, finite queues) shows when the program runs.
/// </summary>
public static class VtaCompiler
{
    public static CompileResult Compile(Workload workload, Configuration configuration, Board board)
    {
        try
        {
            var (image, features) = workload switch
            {
                Conv2dWorkload c => Conv2dLowering.Lower(c, configuration, board),
                DenseWorkload d => DenseLowering.Lower(d, configuration, board),
                _ => throw new ArgumentException($"no lowering for {workload.Operator}"),
            };
            return new CompileResult(new VtaProgram(workload, configuration, image, features), null);
        }
        catch (CompileError e)
        {
            return new CompileResult(null, e);
        }
    }
}
