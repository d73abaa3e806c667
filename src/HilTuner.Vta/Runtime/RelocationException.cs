namespace HilTuner.Vta.Runtime;

/// <summary>An instruction whose DRAM extent lies outside the program's arena: the program is refused.</summary>
public sealed class RelocationException(int instructionIndex, string reason)
    : Exception($"instruction {instructionIndex}: {reason}")
{
    public int InstructionIndex { get; } = instructionIndex;
    public string Reason { get; } = reason;
}
