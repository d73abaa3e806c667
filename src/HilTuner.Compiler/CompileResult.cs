using HilTuner.Compiler.Lowering;

namespace HilTuner.Compiler;

/// <summary>The outcome of compiling one configuration: a program, or the error TVM's flow would stop with.</summary>
public sealed record CompileResult(VtaProgram? Program, CompileError? Error)
{
    public bool Succeeded => Program is not null;
}
