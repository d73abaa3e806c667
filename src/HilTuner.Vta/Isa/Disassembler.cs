using System.Globalization;
using System.Text;

namespace HilTuner.Vta.Isa;

/// <summary>Prints instructions and micro-ops one per line in a form a VTA engineer reads at a glance.</summary>
public static class Disassembler
{
    /// <summary>
    /// One instruction, e.g. <c>LOAD INP  sram 0 ← dram 0x100  14×16 stride 56  pad y(1,0) x(1,1)  [pop g2l · push l2g]</c>.
    /// </summary>
    public static string Format(IsaLayout layout, InstructionWord word)
    {
        var text = new StringBuilder();
        var module = InstructionRouting.ModuleOf(word);
        switch (IsaLayout.KindOf(word))
        {
            case InstructionKind.Memory:
                FormatMemory(text, MemoryInstruction.Decode(layout, word));
                break;
            case InstructionKind.Gemm:
                FormatGemm(text, GemmInstruction.Decode(layout, word));
                break;
            case InstructionKind.Alu:
                FormatAlu(text, AluInstruction.Decode(layout, word));
                break;
            case InstructionKind.Finish:
                text.Append("FINISH");
                break;
            default:
                Invariant(text, $"UNDEFINED opcode {word.OpcodeBits} (raw {word.ToHex()})");
                break;
        }

        AppendDependencies(text, module, layout.DecodeDependencies(word));
        return text.ToString();
    }

    /// <summary>A whole instruction stream, one numbered line per instruction, with the module each goes to.</summary>
    public static IEnumerable<string> FormatProgram(IsaLayout layout, IReadOnlyList<InstructionWord> program)
    {
        var width = Math.Max(1, (program.Count - 1).ToString(CultureInfo.InvariantCulture).Length);
        for (var i = 0; i < program.Count; i++)
        {
            var module = InstructionRouting.ModuleOf(program[i]).ToString().ToLowerInvariant();
            yield return string.Create(CultureInfo.InvariantCulture, $"{i.ToString(CultureInfo.InvariantCulture).PadLeft(width)}  {module,-7}  {Format(layout, program[i])}");
        }
    }

    public static string FormatMicroOp(IsaLayout layout, uint word)
    {
        var uop = MicroOp.Decode(layout, word);
        return string.Create(CultureInfo.InvariantCulture, $"UOP   acc {uop.DstIdx}  src {uop.SrcIdx}  wgt {uop.WgtIdx}");
    }

    private static void FormatMemory(StringBuilder text, MemoryInstruction m)
    {
        var name = m.Opcode == Opcode.Store ? "STORE" : "LOAD";
        var type = Enum.IsDefined(m.MemoryType) ? m.MemoryType.ToString().ToUpperInvariant() : $"TYPE{(int)m.MemoryType}";
        if (m.IsNop)
        {
            Invariant(text, $"{name,-6}{type,-4} nop");
            return;
        }

        var arrow = m.Opcode == Opcode.Store ? "→" : "←";
        Invariant(text, $"{name,-6}{type,-4} sram {m.SramBase} {arrow} dram 0x{m.DramBase:x}  {m.YSize}×{m.XSize} stride {m.XStride}");
        if ((m.YPad0 | m.YPad1 | m.XPad0 | m.XPad1) != 0)
        {
            Invariant(text, $"  pad y({m.YPad0},{m.YPad1}) x({m.XPad0},{m.XPad1})");
        }
    }

    private static void FormatGemm(StringBuilder text, GemmInstruction g)
    {
        Invariant(text, $"GEMM  {(g.ResetReg ? "reset " : string.Empty)}uop [{g.UopBgn},{g.UopEnd})  iter {g.IterOut}×{g.IterIn}");
        Invariant(text, $"  acc +{g.DstFactorOut}/+{g.DstFactorIn}  inp +{g.SrcFactorOut}/+{g.SrcFactorIn}  wgt +{g.WgtFactorOut}/+{g.WgtFactorIn}");
    }

    private static void FormatAlu(StringBuilder text, AluInstruction a)
    {
        var op = Enum.IsDefined(a.AluOpcode) ? a.AluOpcode.ToString().ToUpperInvariant() : $"OP{(int)a.AluOpcode}";
        var operand = a.UseImm ? string.Create(CultureInfo.InvariantCulture, $"imm {a.Imm}") : "acc[src]";
        Invariant(text, $"ALU   {op} {operand}  uop [{a.UopBgn},{a.UopEnd})  iter {a.IterOut}×{a.IterIn}");
        Invariant(text, $"  dst +{a.DstFactorOut}/+{a.DstFactorIn}  src +{a.SrcFactorOut}/+{a.SrcFactorIn}");
        if (a.ResetReg)
        {
            text.Append("  reset_reg(ignored)");
        }
    }

    private static void AppendDependencies(StringBuilder text, VtaModule module, DependencyFlags flags)
    {
        if (flags == DependencyFlags.None)
        {
            return;
        }

        var pops = new List<string>();
        var pushes = new List<string>();
        foreach (var flag in new[] { DependencyFlags.PopPrev, DependencyFlags.PopNext, DependencyFlags.PushPrev, DependencyFlags.PushNext })
        {
            if ((flags & flag) == 0)
            {
                continue;
            }

            var isPop = flag is DependencyFlags.PopPrev or DependencyFlags.PopNext;
            var name = InstructionRouting.QueueFor(module, flag)?.ShortName() ?? $"{flag}(ignored)";
            (isPop ? pops : pushes).Add(name);
        }

        text.Append("  [");
        if (pops.Count > 0)
        {
            text.Append("pop ").Append(string.Join(",", pops));
        }

        if (pushes.Count > 0)
        {
            text.Append(pops.Count > 0 ? " · " : string.Empty).Append("push ").Append(string.Join(",", pushes));
        }

        text.Append(']');
    }

    private static void Invariant(StringBuilder text, FormattableString value) =>
        text.Append(value.ToString(CultureInfo.InvariantCulture));
}
