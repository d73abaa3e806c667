namespace HilTuner.Vta.Isa;

/// <summary>VTA's 3-bit memory type of a LOAD / STORE (<c>VTA_MEM_ID_*</c>).</summary>
public enum MemoryType : byte
{
    Uop = 0,
    Wgt = 1,
    Inp = 2,
    Acc = 3,
    Out = 4,

    /// <summary>Only VTA's functional simulator and runtime know it; the HLS and Chisel hardware do not.</summary>
    Acc8Bit = 5,
}
