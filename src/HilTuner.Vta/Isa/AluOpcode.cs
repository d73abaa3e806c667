namespace HilTuner.Vta.Isa;

/// <summary>VTA's 3-bit ALU opcode (<c>VTA_ALU_OPCODE_*</c>).</summary>
public enum AluOpcode : byte
{
    Min = 0,
    Max = 1,
    Add = 2,

    /// <summary>Arithmetic shift right; a negative amount shifts left.</summary>
    Shr = 3,

    /// <summary>Only VTA's functional simulator implements it; the HLS ALU does not.</summary>
    Mul = 4,
}
