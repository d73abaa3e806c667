using System.Collections.Concurrent;
using HilTuner.Vta.Config;

namespace HilTuner.Vta.Isa;

/// <summary>
/// The bit layout of every instruction kind and of the micro-op for one configuration, derived the way the
/// C compiler lays out hw_spec.h's bit-fields: fields in declaration order, and a field that would cross a
/// 64-bit boundary (32-bit for the micro-op) starts at the next word, leaving unused padding bits.
/// </summary>
public sealed class IsaLayout
{
    /// <summary>Width of the opcode field (<c>VTA_OPCODE_BIT_WIDTH</c>).</summary>
    public const int OpcodeBitWidth = 3;

    /// <summary><c>VTA_MEMOP_ID_BIT_WIDTH</c>.</summary>
    public const int MemoryTypeBitWidth = 3;

    /// <summary><c>VTA_MEMOP_SRAM_ADDR_BIT_WIDTH</c>.</summary>
    public const int SramAddrBitWidth = 16;

    /// <summary><c>VTA_MEMOP_DRAM_ADDR_BIT_WIDTH</c>.</summary>
    public const int DramAddrBitWidth = 32;

    /// <summary><c>VTA_MEMOP_SIZE_BIT_WIDTH</c> and <c>VTA_MEMOP_STRIDE_BIT_WIDTH</c>.</summary>
    public const int SizeBitWidth = 16;

    /// <summary><c>VTA_MEMOP_PAD_BIT_WIDTH</c>.</summary>
    public const int PadBitWidth = 4;

    /// <summary><c>VTA_LOOP_ITER_WIDTH</c>.</summary>
    public const int LoopIterWidth = 14;

    /// <summary><c>VTA_ALU_OPCODE_BIT_WIDTH</c>.</summary>
    public const int AluOpcodeBitWidth = 3;

    /// <summary><c>VTA_ALUOP_IMM_BIT_WIDTH</c> (signed).</summary>
    public const int AluImmBitWidth = 16;

    private static readonly ConcurrentDictionary<VtaConfig, IsaLayout> s_cache = new();

    private readonly Dictionary<InstructionKind, IReadOnlyList<BitField>> _fields = [];

    private IsaLayout(VtaConfig config)
    {
        Config = config;

        var mem = new Allocator(128, 64);
        AddHeader(mem);
        MemoryType = mem.Add("memory_type", MemoryTypeBitWidth);
        SramBase = mem.Add("sram_base", SramAddrBitWidth);
        DramBase = mem.Add("dram_base", DramAddrBitWidth);
        YSize = mem.Add("y_size", SizeBitWidth);
        XSize = mem.Add("x_size", SizeBitWidth);
        XStride = mem.Add("x_stride", SizeBitWidth);
        YPad0 = mem.Add("y_pad_0", PadBitWidth);
        YPad1 = mem.Add("y_pad_1", PadBitWidth);
        XPad0 = mem.Add("x_pad_0", PadBitWidth);
        XPad1 = mem.Add("x_pad_1", PadBitWidth);
        _fields[InstructionKind.Memory] = mem.Fields;

        var gemm = new Allocator(128, 64);
        AddHeader(gemm);
        AddLoop(gemm, config);
        GemmSrcFactorOut = gemm.Add("src_factor_out", config.LogInpBuffDepth, "LOG_INP_BUFF_SIZE");
        GemmSrcFactorIn = gemm.Add("src_factor_in", config.LogInpBuffDepth, "LOG_INP_BUFF_SIZE");
        WgtFactorOut = gemm.Add("wgt_factor_out", config.LogWgtBuffDepth, "LOG_WGT_BUFF_SIZE");
        WgtFactorIn = gemm.Add("wgt_factor_in", config.LogWgtBuffDepth, "LOG_WGT_BUFF_SIZE");
        _fields[InstructionKind.Gemm] = gemm.Fields;
        _fields[InstructionKind.Finish] = gemm.Fields;

        var alu = new Allocator(128, 64);
        AddHeader(alu);
        AddLoop(alu, config);
        AluSrcFactorOut = alu.Add("src_factor_out", config.LogAccBuffDepth, "LOG_ACC_BUFF_SIZE");
        AluSrcFactorIn = alu.Add("src_factor_in", config.LogAccBuffDepth, "LOG_ACC_BUFF_SIZE");
        AluOpcode = alu.Add("alu_opcode", AluOpcodeBitWidth);
        UseImm = alu.Add("use_imm", 1);
        Imm = alu.Add("imm", AluImmBitWidth, signed: true);
        _fields[InstructionKind.Alu] = alu.Fields;

        // hw_spec.h's micro-op: the source index serves GEMM (input buffer) and ALU (accumulator), so it
        // is as wide as the wider of the two; every shipped configuration has them equal.
        var uop = new Allocator(32, 32);
        DstIdx = uop.Add("dst_idx", config.LogAccBuffDepth, "LOG_ACC_BUFF_SIZE");
        SrcIdx = uop.Add("src_idx", config.UopSrcIdxWidth,
            config.LogInpBuffDepth > config.LogAccBuffDepth ? "LOG_INP_BUFF_SIZE" : "LOG_ACC_BUFF_SIZE");
        WgtIdx = uop.Add("wgt_idx", config.LogWgtBuffDepth, "LOG_WGT_BUFF_SIZE");
        _fields[InstructionKind.MicroOp] = uop.Fields;
    }

    public VtaConfig Config { get; }

    public BitField Opcode { get; private set; } = null!;
    public BitField PopPrevDep { get; private set; } = null!;
    public BitField PopNextDep { get; private set; } = null!;
    public BitField PushPrevDep { get; private set; } = null!;
    public BitField PushNextDep { get; private set; } = null!;

    public BitField MemoryType { get; }
    public BitField SramBase { get; }
    public BitField DramBase { get; }
    public BitField YSize { get; }
    public BitField XSize { get; }
    public BitField XStride { get; }
    public BitField YPad0 { get; }
    public BitField YPad1 { get; }
    public BitField XPad0 { get; }
    public BitField XPad1 { get; }

    public BitField ResetReg { get; private set; } = null!;
    public BitField UopBgn { get; private set; } = null!;
    public BitField UopEnd { get; private set; } = null!;
    public BitField IterOut { get; private set; } = null!;
    public BitField IterIn { get; private set; } = null!;
    public BitField DstFactorOut { get; private set; } = null!;
    public BitField DstFactorIn { get; private set; } = null!;
    public BitField GemmSrcFactorOut { get; }
    public BitField GemmSrcFactorIn { get; }
    public BitField WgtFactorOut { get; }
    public BitField WgtFactorIn { get; }
    public BitField AluSrcFactorOut { get; }
    public BitField AluSrcFactorIn { get; }
    public BitField AluOpcode { get; }
    public BitField UseImm { get; }
    public BitField Imm { get; }

    public BitField DstIdx { get; }
    public BitField SrcIdx { get; }
    public BitField WgtIdx { get; }

    /// <summary>The layout for <paramref name="config"/> (cached).</summary>
    public static IsaLayout For(VtaConfig config) => s_cache.GetOrAdd(config, c => new IsaLayout(c));

    /// <summary>The fields of <paramref name="kind"/> in hw_spec.h declaration order.</summary>
    public IReadOnlyList<BitField> Fields(InstructionKind kind) => _fields[kind];

    /// <summary>The kind of instruction an encoded word is, from its opcode; null for the undefined opcodes 5–7.</summary>
    public static InstructionKind? KindOf(InstructionWord word) => (Isa.Opcode)word.OpcodeBits switch
    {
        Isa.Opcode.Load or Isa.Opcode.Store => InstructionKind.Memory,
        Isa.Opcode.Gemm => InstructionKind.Gemm,
        Isa.Opcode.Finish => InstructionKind.Finish,
        Isa.Opcode.Alu => InstructionKind.Alu,
        _ => null,
    };

    public DependencyFlags DecodeDependencies(InstructionWord word)
    {
        var flags = DependencyFlags.None;
        if (PopPrevDep.Extract(word) != 0)
        {
            flags |= DependencyFlags.PopPrev;
        }

        if (PopNextDep.Extract(word) != 0)
        {
            flags |= DependencyFlags.PopNext;
        }

        if (PushPrevDep.Extract(word) != 0)
        {
            flags |= DependencyFlags.PushPrev;
        }

        if (PushNextDep.Extract(word) != 0)
        {
            flags |= DependencyFlags.PushNext;
        }

        return flags;
    }

    public InstructionWord EncodeHeader(Opcode opcode, DependencyFlags dependencies)
    {
        var word = Opcode.Insert(new InstructionWord(), (long)opcode);
        word = PopPrevDep.Insert(word, (dependencies & DependencyFlags.PopPrev) != 0 ? 1 : 0);
        word = PopNextDep.Insert(word, (dependencies & DependencyFlags.PopNext) != 0 ? 1 : 0);
        word = PushPrevDep.Insert(word, (dependencies & DependencyFlags.PushPrev) != 0 ? 1 : 0);
        return PushNextDep.Insert(word, (dependencies & DependencyFlags.PushNext) != 0 ? 1 : 0);
    }

    private void AddHeader(Allocator a)
    {
        Opcode = a.Add("opcode", OpcodeBitWidth);
        PopPrevDep = a.Add("pop_prev_dep", 1);
        PopNextDep = a.Add("pop_next_dep", 1);
        PushPrevDep = a.Add("push_prev_dep", 1);
        PushNextDep = a.Add("push_next_dep", 1);
    }

    private void AddLoop(Allocator a, VtaConfig config)
    {
        ResetReg = a.Add("reset_reg", 1);
        UopBgn = a.Add("uop_bgn", config.LogUopBuffDepth, "LOG_UOP_BUFF_SIZE");
        UopEnd = a.Add("uop_end", config.LogUopBuffDepth + 1, "LOG_UOP_BUFF_SIZE");
        IterOut = a.Add("iter_out", LoopIterWidth);
        IterIn = a.Add("iter_in", LoopIterWidth);
        DstFactorOut = a.Add("dst_factor_out", config.LogAccBuffDepth, "LOG_ACC_BUFF_SIZE");
        DstFactorIn = a.Add("dst_factor_in", config.LogAccBuffDepth, "LOG_ACC_BUFF_SIZE");
    }

    /// <summary>Places fields the way GCC and Clang place <c>uint64_t</c> (or <c>uint32_t</c>) bit-fields.</summary>
    private sealed class Allocator(int totalBits, int unitBits)
    {
        private readonly List<BitField> _fields = [];
        private int _next;
        private string? _lastVariableKey;

        public IReadOnlyList<BitField> Fields => _fields;

        public BitField Add(string name, int width, string? configKey = null, bool signed = false)
        {
            _lastVariableKey = configKey ?? _lastVariableKey;
            var blame = configKey ?? _lastVariableKey ?? "LOG_UOP_BUFF_SIZE";
            if (width < 1 || width > unitBits)
            {
                throw new IsaLayoutException(blame, $"field {name} would be {width} bits wide, outside 1 to {unitBits}");
            }

            var offset = _next;
            if (offset / unitBits != (offset + width - 1) / unitBits)
            {
                offset = (offset / unitBits + 1) * unitBits;
            }

            if (offset + width > totalBits)
            {
                var kind = totalBits == 32 ? "32-bit micro-op" : "128-bit instruction";
                throw new IsaLayoutException(blame,
                    $"field {name} ({width} bits) does not fit the {kind}: the fields before it already use {offset} bits");
            }

            var field = new BitField(name, offset, width, signed, configKey);
            _fields.Add(field);
            _next = offset + width;
            return field;
        }
    }
}
