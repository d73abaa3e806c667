namespace HilTuner.Vta.Isa;

/// <summary>
/// FINISH, built the way the runtime builds it: the GEMM struct with opcode FINISH and every other field 0.
/// The compute module raises <c>done</c> when it executes it. Push flags are legal; the runtime never sets pops.
/// </summary>
public readonly record struct FinishInstruction(DependencyFlags Dependencies = DependencyFlags.None)
{
    public InstructionWord Encode(IsaLayout layout) => layout.EncodeHeader(Opcode.Finish, Dependencies);

    public static FinishInstruction Decode(IsaLayout layout, InstructionWord w) => new(layout.DecodeDependencies(w));
}
