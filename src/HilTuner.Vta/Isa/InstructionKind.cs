namespace HilTuner.Vta.Isa;

/// <summary>The encodings of the ISA: the three instruction structs, FINISH (built through the GEMM struct) and the micro-op.</summary>
public enum InstructionKind
{
    /// <summary>LOAD and STORE (<c>VTAMemInsn</c>).</summary>
    Memory,

    /// <summary><c>VTAGemInsn</c>.</summary>
    Gemm,

    /// <summary><c>VTAAluInsn</c>.</summary>
    Alu,

    /// <summary>Opcode FINISH in the GEMM struct, every other field 0, as the runtime builds it.</summary>
    Finish,

    /// <summary>The 32-bit <c>VTAUop</c>.</summary>
    MicroOp,
}

public static class InstructionKindNames
{
    /// <summary>The kind's name in the JSON of <c>hiltuner isa encode/decode</c>.</summary>
    public static string JsonName(this InstructionKind kind) => kind switch
    {
        InstructionKind.Memory => "mem",
        InstructionKind.Gemm => "gemm",
        InstructionKind.Alu => "alu",
        InstructionKind.Finish => "finish",
        InstructionKind.MicroOp => "uop",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string name, out InstructionKind kind)
    {
        foreach (var candidate in Enum.GetValues<InstructionKind>())
        {
            if (candidate.JsonName() == name)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
