using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Runtime;

/// <summary>
/// A complete VTA program as the runtime places it in DRAM: one arena holding the micro-ops, the tensors and
/// the instruction stream, each segment page aligned. Every <c>dram_base</c> in <see cref="Instructions"/>
/// counts elements from the arena's start; <see cref="Relocation"/> turns them into physical addresses once
/// the arena has one (the simulator's allocation, or the board agent's DMA buffer).
/// </summary>
public sealed class ProgramImage
{
    /// <summary>Alignment of every segment (a page, as CMA allocations are).</summary>
    public const long SegmentAlignment = 4096;

    public ProgramImage(VtaConfig config, IReadOnlyList<InstructionWord> instructions, uint[] microOps,
        IReadOnlyList<MicroOpKernel> kernels, IReadOnlyDictionary<SegmentKind, long> tensorBytes)
    {
        Config = config;
        Instructions = instructions;
        MicroOps = microOps;
        Kernels = kernels;
        (Segments, ArenaBytes) = PlanArena(instructions.Count, microOps.Length, tensorBytes);
    }

    /// <summary>
    /// The arena's segments, in order micro-ops, data, weight, bias, output, instructions, each page aligned. The
    /// instruction stream comes last so that every address inside it is known before its length is.
    /// </summary>
    public static (IReadOnlyList<Segment> Segments, long ArenaBytes) PlanArena(int instructions, int microOps, IReadOnlyDictionary<SegmentKind, long> tensorBytes)
    {
        var segments = new List<Segment>();
        var offset = 0L;
        void Add(SegmentKind kind, long bytes)
        {
            segments.Add(new Segment(kind, offset, bytes));
            offset += (Math.Max(bytes, 1) + SegmentAlignment - 1) / SegmentAlignment * SegmentAlignment;
        }

        Add(SegmentKind.MicroOps, (long)microOps * VtaConfig.MicroOpBytes);
        foreach (var kind in new[] { SegmentKind.Data, SegmentKind.Weight, SegmentKind.Bias, SegmentKind.Output })
        {
            Add(kind, tensorBytes.GetValueOrDefault(kind));
        }

        Add(SegmentKind.Instructions, (long)instructions * VtaConfig.InstructionBytes);
        return (segments, offset);
    }

    public VtaConfig Config { get; }

    /// <summary>The instruction stream, DRAM addresses relative to the arena.</summary>
    public IReadOnlyList<InstructionWord> Instructions { get; }

    /// <summary>Every micro-op word the program loads, as stored in the micro-op segment.</summary>
    public uint[] MicroOps { get; }

    public IReadOnlyList<MicroOpKernel> Kernels { get; }

    public IReadOnlyList<Segment> Segments { get; }

    /// <summary>Bytes of the whole arena.</summary>
    public long ArenaBytes { get; }

    public Segment this[SegmentKind kind] => Segments.First(s => s.Kind == kind);

    /// <summary>
    /// Fills <paramref name="arena"/> (<see cref="ArenaBytes"/> long, zeroed) as the runtime lays it out: the tensors in
    /// their segments, the micro-ops, and the instruction stream — <paramref name="instructions"/> (e.g. relocated), or
    /// the image's own with arena-relative addresses.
    /// </summary>
    public void WriteArena(Span<byte> arena, IReadOnlyDictionary<SegmentKind, byte[]> tensors, IReadOnlyList<InstructionWord>? instructions = null)
    {
        foreach (var (kind, bytes) in tensors)
        {
            var segment = this[kind];
            if (bytes.Length > segment.Length)
            {
                throw new ArgumentException($"{bytes.Length} bytes of {kind} do not fit its {segment.Length}-byte segment", nameof(tensors));
            }

            bytes.CopyTo(arena[(int)segment.Offset..]);
        }

        System.Runtime.InteropServices.MemoryMarshal.AsBytes(MicroOps.AsSpan()).CopyTo(arena[(int)this[SegmentKind.MicroOps].Offset..]);
        WriteInstructions(arena[(int)this[SegmentKind.Instructions].Offset..], instructions ?? Instructions);
    }

    /// <summary>Writes <paramref name="instructions"/> back to back, 16 bytes each, as fetch reads them.</summary>
    public static void WriteInstructions(Span<byte> destination, IReadOnlyList<InstructionWord> instructions)
    {
        for (var i = 0; i < instructions.Count; i++)
        {
            instructions[i].WriteTo(destination[(i * VtaConfig.InstructionBytes)..]);
        }
    }
}
