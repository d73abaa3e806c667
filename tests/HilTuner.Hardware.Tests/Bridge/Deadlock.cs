using HilTuner.Compiler;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;

namespace HilTuner.Hardware.Tests.Bridge;

/// <summary>Programs that really hang: a compiled program with one pop too many, as a compiler bug would make it.</summary>
internal static class Deadlock
{
    /// <summary><paramref name="program"/> with an extra pop on its first instruction: more pops than pushes on one queue, so it never finishes.</summary>
    public static VtaProgram Of(VtaProgram program)
    {
        var image = program.Image;
        var layout = IsaLayout.For(image.Config);
        var instructions = image.Instructions.ToArray();
        Assert.AreEqual(0, layout.PopNextDep.Extract(instructions[0]), "the first instruction already pops");
        instructions[0] = layout.PopNextDep.Insert(instructions[0], 1);
        var tensorBytes = image.Segments.Where(s => s.Kind is SegmentKind.Data or SegmentKind.Weight or SegmentKind.Bias or SegmentKind.Output)
            .ToDictionary(s => s.Kind, s => s.Length);
        return program with { Image = new ProgramImage(image.Config, instructions, image.MicroOps, image.Kernels, tensorBytes) };
    }
}
