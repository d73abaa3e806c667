using System.Globalization;

namespace HilTuner.Vta.Config;

/// <summary>
/// The handful of numbers VTA is built from (VTA's <c>vta_config.json</c>), and every width and depth
/// derived from them the way <c>hw_spec_const.h</c> and <c>pkg_config.py</c> derive them.
/// </summary>
/// <remarks>
/// An SRAM "element" is the unit every index, size and stride in the ISA counts in: one BATCH×BLOCK_IN
/// input vector, one BLOCK_OUT×BLOCK_IN weight matrix, one BATCH×BLOCK_OUT accumulator or output vector.
/// </remarks>
public sealed record VtaConfig
{
    /// <summary>Width of a micro-op in bits, log2 (fixed by the ISA).</summary>
    public const int LogUopWidth = 5;

    /// <summary>Width of an instruction in bits, log2 (fixed by the ISA).</summary>
    public const int LogInsnWidth = 7;

    /// <summary>Bytes of one instruction.</summary>
    public const int InstructionBytes = 16;

    /// <summary>Bytes of one micro-op.</summary>
    public const int MicroOpBytes = 4;

    public required string Target { get; init; }
    public required string HwVer { get; init; }
    public required int LogInpWidth { get; init; }
    public required int LogWgtWidth { get; init; }
    public required int LogAccWidth { get; init; }
    public required int LogBatch { get; init; }
    public required int LogBlock { get; init; }
    public required int LogUopBuffSize { get; init; }
    public required int LogInpBuffSize { get; init; }
    public required int LogWgtBuffSize { get; init; }
    public required int LogAccBuffSize { get; init; }

    /// <summary>The PYNQ configuration every shipped VTA sample uses (<c>1x16_i8w8a32_15_15_18_17</c>).</summary>
    public static VtaConfig Pynq { get; } = new()
    {
        Target = "pynq",
        HwVer = "0.0.2",
        LogInpWidth = 3,
        LogWgtWidth = 3,
        LogAccWidth = 5,
        LogBatch = 0,
        LogBlock = 4,
        LogUopBuffSize = 15,
        LogInpBuffSize = 15,
        LogWgtBuffSize = 18,
        LogAccBuffSize = 17,
    };

    public int LogBlockIn => LogBlock;
    public int LogBlockOut => LogBlock;
    public int LogOutWidth => LogInpWidth;

    public int Batch => 1 << LogBatch;
    public int BlockIn => 1 << LogBlockIn;
    public int BlockOut => 1 << LogBlockOut;

    public int InpWidth => 1 << LogInpWidth;
    public int WgtWidth => 1 << LogWgtWidth;
    public int AccWidth => 1 << LogAccWidth;
    public int OutWidth => 1 << LogOutWidth;

    /// <summary>log2 of the micro-op buffer depth (in micro-ops) as the ISA sees it.</summary>
    public int LogUopBuffDepth => LogUopBuffSize - LogUopWidth + 3;

    /// <summary>log2 of the input buffer depth in elements.</summary>
    public int LogInpBuffDepth => LogInpBuffSize - LogBatch - LogBlockIn - LogInpWidth + 3;

    /// <summary>log2 of the weight buffer depth in elements.</summary>
    public int LogWgtBuffDepth => LogWgtBuffSize - LogBlockOut - LogBlockIn - LogWgtWidth + 3;

    /// <summary>log2 of the accumulator buffer depth in elements.</summary>
    public int LogAccBuffDepth => LogAccBuffSize - LogBatch - LogBlockOut - LogAccWidth + 3;

    /// <summary>log2 of the output buffer size in bytes (<c>pkg_config.py</c>: acc size scaled to the output width).</summary>
    public int LogOutBuffSize => LogAccBuffSize + LogOutWidth - LogAccWidth;

    /// <summary>log2 of the output buffer depth: the output buffer is indexed by the accumulator index.</summary>
    public int LogOutBuffDepth => LogAccBuffDepth;

    public int UopBuffDepth => 1 << LogUopBuffDepth;
    public int InpBuffDepth => 1 << LogInpBuffDepth;
    public int WgtBuffDepth => 1 << LogWgtBuffDepth;
    public int AccBuffDepth => 1 << LogAccBuffDepth;
    public int OutBuffDepth => 1 << LogOutBuffDepth;

    /// <summary>Lanes (values) in one input element: BATCH × BLOCK_IN.</summary>
    public int InpElemLanes => Batch * BlockIn;

    /// <summary>Lanes in one weight element: BLOCK_OUT × BLOCK_IN.</summary>
    public int WgtElemLanes => BlockOut * BlockIn;

    /// <summary>Lanes in one accumulator or output element: BATCH × BLOCK_OUT.</summary>
    public int AccElemLanes => Batch * BlockOut;

    public int InpElemBytes => InpElemLanes * InpWidth / 8;
    public int WgtElemBytes => WgtElemLanes * WgtWidth / 8;
    public int AccElemBytes => AccElemLanes * AccWidth / 8;
    public int OutElemBytes => AccElemLanes * OutWidth / 8;

    /// <summary>Width of a micro-op's source index: it indexes the input buffer for GEMM and the accumulator for ALU.</summary>
    public int UopSrcIdxWidth => Math.Max(LogAccBuffDepth, LogInpBuffDepth);

    /// <summary>Bytes one element of <paramref name="memoryType"/> occupies in DRAM and SRAM.</summary>
    public int ElementBytes(Isa.MemoryType memoryType) => memoryType switch
    {
        Isa.MemoryType.Uop => MicroOpBytes,
        Isa.MemoryType.Wgt => WgtElemBytes,
        Isa.MemoryType.Inp => InpElemBytes,
        Isa.MemoryType.Acc => AccElemBytes,
        Isa.MemoryType.Out => OutElemBytes,
        Isa.MemoryType.Acc8Bit => AccElemLanes,
        _ => throw new ArgumentOutOfRangeException(nameof(memoryType), memoryType, "no such VTA memory type"),
    };

    /// <summary>The bitstream / configuration string, e.g. <c>1x16_i8w8a32_15_15_18_17</c>.</summary>
    public string ConfigString => string.Create(CultureInfo.InvariantCulture,
        $"{Batch}x{BlockIn}_i{InpWidth}w{WgtWidth}a{AccWidth}_{LogUopBuffSize}_{LogInpBuffSize}_{LogWgtBuffSize}_{LogAccBuffSize}");

    /// <summary>TVM's target model string, e.g. <c>pynq_1x16_i8w8a32_15_15_18_17</c>.</summary>
    public string TargetModel => $"{Target}_{ConfigString}";

    public override string ToString() => TargetModel;
}
