namespace HilTuner.Vta.Isa;

/// <summary>
/// LOAD or STORE (<c>VTAMemInsn</c>): a 2-D strided transfer of <see cref="YSize"/> rows of <see cref="XSize"/>
/// elements between DRAM (row pitch <see cref="XStride"/>) and SRAM (rows back to back), with zero padding
/// around the tile on loads. Addresses and sizes count elements of the memory type's buffer.
/// </summary>
public readonly record struct MemoryInstruction(
    Opcode Opcode,
    DependencyFlags Dependencies,
    MemoryType MemoryType,
    uint SramBase,
    uint DramBase,
    uint YSize,
    uint XSize,
    uint XStride,
    uint YPad0 = 0,
    uint YPad1 = 0,
    uint XPad0 = 0,
    uint XPad1 = 0)
{
    /// <summary>A LOAD of <paramref name="memoryType"/>.</summary>
    public static MemoryInstruction Load(MemoryType memoryType, uint sramBase, uint dramBase, uint ySize, uint xSize, uint xStride,
        DependencyFlags dependencies = DependencyFlags.None, uint yPad0 = 0, uint yPad1 = 0, uint xPad0 = 0, uint xPad1 = 0) =>
        new(Opcode.Load, dependencies, memoryType, sramBase, dramBase, ySize, xSize, xStride, yPad0, yPad1, xPad0, xPad1);

    /// <summary>A STORE from the output buffer.</summary>
    public static MemoryInstruction Store(uint sramBase, uint dramBase, uint ySize, uint xSize, uint xStride,
        DependencyFlags dependencies = DependencyFlags.None) =>
        new(Opcode.Store, dependencies, MemoryType.Out, sramBase, dramBase, ySize, xSize, xStride);

    /// <summary>
    /// The runtime's pure-synchronisation form: <c>x_size = 0</c>, only the dependency flags act. The module it
    /// runs on follows from opcode and memory type: LOAD INP → load, LOAD UOP → compute, STORE → store.
    /// </summary>
    public static MemoryInstruction Nop(Opcode opcode, MemoryType memoryType, DependencyFlags dependencies) =>
        new(opcode, dependencies, memoryType, 0, 0, 0, 0, 0);

    /// <summary>True for the synchronisation-only form (<c>x_size == 0</c>).</summary>
    public bool IsNop => XSize == 0;

    /// <summary>Elements written into SRAM: the padded rectangle of a load.</summary>
    public long SramElements => (long)(XPad0 + XSize + XPad1) * (YPad0 + YSize + YPad1);

    /// <param name="truncate">Keep each value's low bits, as VTA's runtime does (see <see cref="BitField.Insert(InstructionWord, long, bool)"/>); otherwise a value too wide throws.</param>
    public InstructionWord Encode(IsaLayout layout, bool truncate = false)
    {
        var w = layout.EncodeHeader(Opcode, Dependencies);
        return BitField.InsertAll(w, truncate, (layout.MemoryType, (long)MemoryType), (layout.SramBase, SramBase), (layout.DramBase, DramBase),
            (layout.YSize, YSize), (layout.XSize, XSize), (layout.XStride, XStride),
            (layout.YPad0, YPad0), (layout.YPad1, YPad1), (layout.XPad0, XPad0), (layout.XPad1, XPad1));
    }

    public static MemoryInstruction Decode(IsaLayout layout, InstructionWord w) => new(
        (Opcode)layout.Opcode.Extract(w),
        layout.DecodeDependencies(w),
        (MemoryType)layout.MemoryType.Extract(w),
        (uint)layout.SramBase.Extract(w),
        (uint)layout.DramBase.Extract(w),
        (uint)layout.YSize.Extract(w),
        (uint)layout.XSize.Extract(w),
        (uint)layout.XStride.Extract(w),
        (uint)layout.YPad0.Extract(w),
        (uint)layout.YPad1.Extract(w),
        (uint)layout.XPad0.Extract(w),
        (uint)layout.XPad1.Extract(w));
}
