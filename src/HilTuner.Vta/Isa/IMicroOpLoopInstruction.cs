namespace HilTuner.Vta.Isa;

/// <summary>An instruction that runs a <see cref="MicroOpLoop"/>: GEMM and ALU.</summary>
public interface IMicroOpLoopInstruction
{
    MicroOpLoop Loop { get; }
}
