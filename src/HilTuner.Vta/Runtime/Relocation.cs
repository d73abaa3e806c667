using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Runtime;

/// <summary>
/// Turns arena-relative DRAM addresses into physical ones: every LOAD and STORE that moves data must stay
/// inside the arena (its whole 2-D extent), and its <c>dram_base</c> grows by the arena's physical base in
/// units of its element size. The board agent applies the same rule (docs/protocol.md §9) so that no
/// program can make the accelerator touch memory outside the buffer it owns.
/// </summary>
public static class Relocation
{
    public static InstructionWord[] Relocate(VtaConfig config, IReadOnlyList<InstructionWord> instructions, ulong arenaBase, long arenaBytes)
    {
        var layout = IsaLayout.For(config);
        var result = new InstructionWord[instructions.Count];
        for (var i = 0; i < instructions.Count; i++)
        {
            var word = instructions[i];
            result[i] = word;
            if (IsaLayout.KindOf(word) != InstructionKind.Memory)
            {
                continue;
            }

            var m = MemoryInstruction.Decode(layout, word);
            if (m.IsNop)
            {
                continue;
            }

            var (type, _, end) = Extent(m);
            if (!Enum.IsDefined(type) || type == MemoryType.Acc8Bit)
            {
                throw new RelocationException(i, $"memory type {(int)type} has no element size on this hardware");
            }

            var elementBytes = config.ElementBytes(type);
            if (arenaBase % (ulong)elementBytes != 0)
            {
                throw new RelocationException(i, $"the arena at 0x{arenaBase:x} is not aligned to {elementBytes}-byte {type} elements");
            }

            if (end * elementBytes > arenaBytes)
            {
                throw new RelocationException(i,
                    $"{(m.Opcode == Opcode.Store ? "STORE" : "LOAD")} {type.ToString().ToUpperInvariant()} reaches byte {end * elementBytes} of a {arenaBytes}-byte arena");
            }

            var relocated = (ulong)m.DramBase + (arenaBase / (ulong)elementBytes);
            if (relocated > uint.MaxValue)
            {
                throw new RelocationException(i, $"the relocated dram_base 0x{relocated:x} does not fit 32 bits");
            }

            result[i] = layout.DramBase.Insert(word, (long)relocated);
        }

        return result;
    }

    /// <summary>
    /// The DRAM a LOAD or STORE moves, in elements of its memory type: <c>[dram_base, dram_base + (rows − 1) ·
    /// x_stride + x_size)</c>. A STORE moves OUT elements whatever its field says; the micro-op load copies x_size
    /// micro-ops whatever its y_size says (HLS), and a y_size of 0 counts as one row.
    /// </summary>
    public static (MemoryType Type, long First, long End) Extent(MemoryInstruction m)
    {
        var type = m.Opcode == Opcode.Store ? MemoryType.Out : m.MemoryType;
        var rows = type == MemoryType.Uop ? 1 : Math.Max(1L, m.YSize);
        return (type, m.DramBase, m.DramBase + ((rows - 1) * m.XStride) + m.XSize);
    }
}
