namespace HilTuner.Vta.Isa;

/// <summary>VTA's 3-bit instruction opcode (<c>VTA_OPCODE_*</c>); 5–7 are undefined.</summary>
public enum Opcode : byte
{
    Load = 0,
    Store = 1,
    Gemm = 2,
    Finish = 3,
    Alu = 4,
}
