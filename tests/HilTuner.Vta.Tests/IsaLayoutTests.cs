using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class IsaLayoutTests
{
    private static IsaLayout Default => IsaLayout.For(VtaConfig.Pynq);

    public static IEnumerable<object[]> Configurations =>
    [
        ["default", VtaConfig.Pynq],
        ["block 8", TestBoards.WithVta(logBlock: 3, logInp: 14, logWgt: 16, logAcc: 16).Vta],
        ["block 32, batch 2", TestBoards.WithVta(logBlock: 5, logBatch: 1).Vta],
        ["small buffers", TestBoards.WithVta(logInp: 12, logWgt: 14, logAcc: 13, logUop: 12).Vta],
        ["input deeper than acc", TestBoards.WithVta(logInp: 16, logAcc: 16).Vta],
    ];

    [TestMethod]
    public void GemmAndAluEncodeTheirMicroOpLoopInTheSamePlaces()
    {
        var loop = new MicroOpLoop(true, 3, 11, 5, 7, 2, 9);
        var gemm = new GemmInstruction(DependencyFlags.PopPrev, new MicroOpLoop(true, 3, 11, 5, 7, 2, 9), 1, 1, 4, 6);
        var alu = new AluInstruction(DependencyFlags.PushNext, new MicroOpLoop(true, 3, 11, 5, 7, 2, 9), 1, 0, AluOpcode.Max, true, -4);
        Assert.AreEqual(loop, gemm.Loop);
        Assert.AreEqual(loop, alu.Loop);
        Assert.AreEqual(loop, MicroOpLoop.Extract(Default, gemm.Encode(Default)));
        Assert.AreEqual(loop, MicroOpLoop.Extract(Default, alu.Encode(Default)));
        Assert.AreEqual(5L * 7 * 8, gemm.UopIterations);
        Assert.AreEqual(0L, (alu with { Loop = alu.Loop with { UopEnd = 3 } }).UopIterations);
    }

    /// <summary>vta-isa.md §2.4–2.8: (field, first bit, last bit) for the default configuration.</summary>
    [TestMethod]
    [DataRow(InstructionKind.Memory, "opcode:0:2 pop_prev_dep:3:3 pop_next_dep:4:4 push_prev_dep:5:5 push_next_dep:6:6 memory_type:7:9 sram_base:10:25 dram_base:26:57 y_size:64:79 x_size:80:95 x_stride:96:111 y_pad_0:112:115 y_pad_1:116:119 x_pad_0:120:123 x_pad_1:124:127")]
    [DataRow(InstructionKind.Gemm, "opcode:0:2 pop_prev_dep:3:3 pop_next_dep:4:4 push_prev_dep:5:5 push_next_dep:6:6 reset_reg:7:7 uop_bgn:8:20 uop_end:21:34 iter_out:35:48 iter_in:49:62 dst_factor_out:64:74 dst_factor_in:75:85 src_factor_out:86:96 src_factor_in:97:107 wgt_factor_out:108:117 wgt_factor_in:118:127")]
    [DataRow(InstructionKind.Alu, "opcode:0:2 pop_prev_dep:3:3 pop_next_dep:4:4 push_prev_dep:5:5 push_next_dep:6:6 reset_reg:7:7 uop_bgn:8:20 uop_end:21:34 iter_out:35:48 iter_in:49:62 dst_factor_out:64:74 dst_factor_in:75:85 src_factor_out:86:96 src_factor_in:97:107 alu_opcode:108:110 use_imm:111:111 imm:112:127")]
    [DataRow(InstructionKind.MicroOp, "dst_idx:0:10 src_idx:11:21 wgt_idx:22:31")]
    public void DefaultFieldPositionsMatchTheHardwareSpec(InstructionKind kind, string expected)
    {
        var actual = string.Join(" ", Default.Fields(kind).Select(f => $"{f.Name}:{f.Offset}:{f.LastBit}"));
        Assert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void AHandEncodedLoadMatches()
    {
        var load = MemoryInstruction.Load(MemoryType.Inp, sramBase: 1, dramBase: 1, ySize: 1, xSize: 2, xStride: 3, yPad0: 1, xPad1: 15);
        Assert.AreEqual("f001000300020001" + "0000000004000500", load.Encode(Default).ToHex());
    }

    [TestMethod]
    public void FinishIsOpcodeThreeAndNothingElse()
    {
        Assert.AreEqual("00000000000000000000000000000003", new FinishInstruction().Encode(Default).ToHex());
        var fields = InstructionFields.Encode(Default, InstructionKind.Finish, new Dictionary<string, long>());
        Assert.AreEqual("00000000000000000000000000000003", fields.ToHex());
    }

    [TestMethod]
    public void TheImmediateIsSigned()
    {
        var alu = new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 1, 1, 0, 0), 0, 0, AluOpcode.Shr, true, -1);
        var word = alu.Encode(Default);
        Assert.AreEqual(0xFFFFUL, word.High >> 48);
        Assert.AreEqual((short)-1, AluInstruction.Decode(Default, word).Imm);
        Assert.AreEqual(-32768, Default.Imm.MinValue);
        Assert.AreEqual(32767, Default.Imm.MaxValue);
    }

    [TestMethod]
    [DynamicData(nameof(Configurations))]
    public void RandomFieldValuesRoundTripThroughEncodeAndDecode(string name, VtaConfig config)
    {
        var layout = IsaLayout.For(config);
        var random = new Random(name.GetHashCode(StringComparison.Ordinal));
        foreach (var kind in new[] { InstructionKind.Memory, InstructionKind.Gemm, InstructionKind.Alu })
        {
            for (var trial = 0; trial < 300; trial++)
            {
                var values = layout.Fields(kind).ToDictionary(f => f.Name, f => random.NextInt64(f.MinValue, f.MaxValue + 1));
                values["opcode"] = kind switch { InstructionKind.Gemm => 2, InstructionKind.Alu => 4, _ => random.Next(2) };
                var word = InstructionFields.Encode(layout, kind, values);
                var (decodedKind, fields) = InstructionFields.Decode(layout, word);
                Assert.AreEqual(kind, decodedKind, name);
                CollectionAssert.AreEqual(values.OrderBy(v => v.Key).ToList(), fields.OrderBy(v => v.Key).ToList(), $"{name} {kind}");
                Assert.AreEqual(0UL, PaddingBits(layout, kind, word).Low | PaddingBits(layout, kind, word).High, $"{name} {kind}: padding bits must stay 0");
            }
        }

        for (var trial = 0; trial < 300; trial++)
        {
            var values = layout.Fields(InstructionKind.MicroOp).ToDictionary(f => f.Name, f => random.NextInt64(f.MinValue, f.MaxValue + 1));
            var word = InstructionFields.EncodeMicroOp(layout, values);
            CollectionAssert.AreEqual(values.ToList(), InstructionFields.DecodeMicroOp(layout, word).ToList());
        }
    }

    [TestMethod]
    [DynamicData(nameof(Configurations))]
    public void TypedInstructionsRoundTrip(string name, VtaConfig config)
    {
        var layout = IsaLayout.For(config);
        var random = new Random(17);
        uint Field(BitField f) => (uint)random.NextInt64(0, f.MaxValue + 1);
        for (var trial = 0; trial < 200; trial++)
        {
            var deps = (DependencyFlags)random.Next(16);
            var mem = new MemoryInstruction((Opcode)random.Next(2), deps, (MemoryType)random.Next(6), Field(layout.SramBase), Field(layout.DramBase),
                Field(layout.YSize), Field(layout.XSize), Field(layout.XStride), Field(layout.YPad0), Field(layout.YPad1), Field(layout.XPad0), Field(layout.XPad1));
            Assert.AreEqual(mem, MemoryInstruction.Decode(layout, mem.Encode(layout)), name);

            var gemm = new GemmInstruction(deps, new MicroOpLoop(random.Next(2) == 1, Field(layout.UopBgn), Field(layout.UopEnd), Field(layout.IterOut), Field(layout.IterIn),
                Field(layout.DstFactorOut), Field(layout.DstFactorIn)), Field(layout.GemmSrcFactorOut), Field(layout.GemmSrcFactorIn), Field(layout.WgtFactorOut), Field(layout.WgtFactorIn));
            Assert.AreEqual(gemm, GemmInstruction.Decode(layout, gemm.Encode(layout)), name);

            var alu = new AluInstruction(deps, new MicroOpLoop(false, Field(layout.UopBgn), Field(layout.UopEnd), Field(layout.IterOut), Field(layout.IterIn),
                Field(layout.DstFactorOut), Field(layout.DstFactorIn)), Field(layout.AluSrcFactorOut), Field(layout.AluSrcFactorIn),
                (AluOpcode)random.Next(5), random.Next(2) == 1, (short)random.Next(short.MinValue, short.MaxValue + 1));
            Assert.AreEqual(alu, AluInstruction.Decode(layout, alu.Encode(layout)), name);

            var uop = new MicroOp(Field(layout.DstIdx), Field(layout.SrcIdx), Field(layout.WgtIdx));
            Assert.AreEqual(uop, MicroOp.Decode(layout, uop.Encode(layout)), name);
        }
    }

    [TestMethod]
    public void NonDefaultWidthsMoveTheFields()
    {
        var small = IsaLayout.For(TestBoards.WithVta(logInp: 12, logWgt: 14, logAcc: 13, logUop: 12).Vta);
        Assert.AreEqual((10, 11), (small.UopBgn.Width, small.UopEnd.Width));
        Assert.AreEqual(8 + 10 + 11, small.IterOut.Offset);
        Assert.AreEqual((7, 57), (small.DstFactorOut.Width, small.DstFactorOut.Offset), "7 bits still fit below bit 64");
        Assert.AreEqual((7, 64), (small.DstFactorIn.Width, small.DstFactorIn.Offset));
        Assert.AreEqual((8, 71), (small.GemmSrcFactorOut.Width, small.GemmSrcFactorOut.Offset));
        Assert.AreEqual((6, 93), (small.WgtFactorIn.Width, small.WgtFactorIn.Offset));

        var deep = IsaLayout.For(TestBoards.WithVta(logInp: 16, logAcc: 16).Vta);
        Assert.AreEqual((10, 12, 10), (deep.DstIdx.Width, deep.SrcIdx.Width, deep.WgtIdx.Width));
    }

    [TestMethod]
    public void AValueTooWideForItsFieldNamesFieldWidthAndValue()
    {
        var e = Assert.ThrowsExactly<IsaFieldOverflowException>(() => MemoryInstruction.Load(MemoryType.Inp, 65536, 0, 1, 1, 1).Encode(Default));
        Assert.AreEqual("sram_base = 65536 does not fit its 16-bit unsigned field (range 0 to 65535)", e.Message);

        var imm = Assert.ThrowsExactly<IsaFieldOverflowException>(() =>
            InstructionFields.Encode(Default, InstructionKind.Alu, new Dictionary<string, long> { ["imm"] = 32768 }));
        Assert.AreEqual("imm = 32768 does not fit its 16-bit signed field (range -32768 to 32767)", imm.Message);
        Assert.ThrowsExactly<IsaFieldOverflowException>(() =>
            InstructionFields.Encode(Default, InstructionKind.Alu, new Dictionary<string, long> { ["imm"] = -32769 }));
        Assert.ThrowsExactly<IsaFieldOverflowException>(() =>
            InstructionFields.Encode(Default, InstructionKind.Gemm, new Dictionary<string, long> { ["iter_out"] = 16384 }));
    }

    /// <summary>VTA's runtime assigns to hw_spec.h's C bit-fields unchecked: a value too wide keeps its low bits.</summary>
    [TestMethod]
    public void EncodingAsTheRuntimeKeepsTheLowBitsOfAValueTooWide()
    {
        var load = MemoryInstruction.Decode(Default, MemoryInstruction.Load(MemoryType.Inp, 65536 + 5, 0, 1, 1, 1, yPad0: 16, xPad1: 17).Encode(Default, truncate: true));
        Assert.AreEqual((5u, 0u, 1u), (load.SramBase, load.YPad0, load.XPad1));

        var gemm = GemmInstruction.Decode(Default, new GemmInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 16384 + 3, 1, 0, 0), 0, 0, 0, 0).Encode(Default, truncate: true));
        Assert.AreEqual((3u, 1u), (gemm.IterOut, gemm.IterIn));

        var uop = MicroOp.Decode(Default, new MicroOp(2048 + 7, 1, 0).Encode(Default, truncate: true));
        Assert.AreEqual(new MicroOp(7, 1, 0), uop, "dst_idx is 11 bits");
    }

    [TestMethod]
    public void AFieldTheKindDoesNotHaveIsNamed()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            InstructionFields.Encode(Default, InstructionKind.Gemm, new Dictionary<string, long> { ["sram_base"] = 1 }));
        StringAssert.StartsWith(e.Message, "\"sram_base\" is not a field of a gemm instruction");
    }

    [TestMethod]
    public void UndefinedOpcodesDecodeToTheHeaderOnly()
    {
        var (kind, fields) = InstructionFields.Decode(Default, new InstructionWord(0x5 | (1 << 6), 0));
        Assert.IsNull(kind);
        Assert.AreEqual("opcode=5 pop_prev_dep=0 pop_next_dep=0 push_prev_dep=0 push_next_dep=1", string.Join(" ", fields.Select(f => $"{f.Key}={f.Value}")));
    }

    [TestMethod]
    public void RoutingFollowsFetchsPartialDecode()
    {
        Assert.AreEqual(VtaModule.Load, InstructionRouting.ModuleOf(MemoryInstruction.Load(MemoryType.Inp, 0, 0, 1, 1, 1).Encode(Default)));
        Assert.AreEqual(VtaModule.Load, InstructionRouting.ModuleOf(MemoryInstruction.Load(MemoryType.Wgt, 0, 0, 1, 1, 1).Encode(Default)));
        Assert.AreEqual(VtaModule.Compute, InstructionRouting.ModuleOf(MemoryInstruction.Load(MemoryType.Uop, 0, 0, 1, 1, 1).Encode(Default)));
        Assert.AreEqual(VtaModule.Compute, InstructionRouting.ModuleOf(MemoryInstruction.Load(MemoryType.Acc, 0, 0, 1, 1, 1).Encode(Default)));
        Assert.AreEqual(VtaModule.Store, InstructionRouting.ModuleOf(MemoryInstruction.Store(0, 0, 1, 1, 1).Encode(Default)));
        Assert.AreEqual(VtaModule.Compute, InstructionRouting.ModuleOf(new FinishInstruction().Encode(Default)));
        Assert.AreEqual(VtaModule.Compute, InstructionRouting.ModuleOf(new InstructionWord(7, 0)));
    }

    [TestMethod]
    public void TheDisassemblerNamesQueuesByTheModuleThatRunsTheInstruction()
    {
        var load = MemoryInstruction.Load(MemoryType.Inp, 0, 0x100, 14, 16, 56, DependencyFlags.PopNext | DependencyFlags.PushNext, yPad0: 1, xPad0: 1, xPad1: 1);
        Assert.AreEqual("LOAD  INP  sram 0 ← dram 0x100  14×16 stride 56  pad y(1,0) x(1,1)  [pop g2l · push l2g]", Disassembler.Format(Default, load.Encode(Default)));
        var gemm = new GemmInstruction(DependencyFlags.PopPrev | DependencyFlags.PushPrev, new MicroOpLoop(true, 0, 16, 4, 14, 16, 1), 16, 1, 0, 0);
        Assert.AreEqual("GEMM  reset uop [0,16)  iter 4×14  acc +16/+1  inp +16/+1  wgt +0/+0  [pop l2g · push g2l]", Disassembler.Format(Default, gemm.Encode(Default)));
        var nop = MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PushPrev);
        Assert.AreEqual("STORE UOP  nop  [push s2g]", Disassembler.Format(Default, nop.Encode(Default)));
    }

    private static InstructionWord PaddingBits(IsaLayout layout, InstructionKind kind, InstructionWord word)
    {
        var used = new InstructionWord(0, 0);
        foreach (var f in layout.Fields(kind))
        {
            used = f.Insert(used, f.Signed ? -1 : f.MaxValue);
        }

        return new InstructionWord(word.Low & ~used.Low, word.High & ~used.High);
    }
}
