namespace HilTuner.Compiler.Lowering;

/// <summary>A configuration that does not build, with the message a tuner's log keeps.</summary>
public sealed class CompileError(CompileErrorKind kind, string message) : Exception(message)
{
    public CompileErrorKind Kind { get; } = kind;
}
