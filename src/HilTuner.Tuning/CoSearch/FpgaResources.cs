using System.Globalization;
using System.Text.Json;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.CoSearch;

/// <summary>A board's FPGA part and its capacity (the board file's <c>fpga</c> section).</summary>
public sealed record FpgaPart(string Part, int Dsp, int Bram36, string? Source)
{
    /// <summary>The board's part, or null when its file has no <c>fpga</c> section.</summary>
    public static FpgaPart? Of(Board board)
    {
        if (board.Fpga is not { } e)
        {
            return null;
        }

        int Count(string key) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) && v.TryGetInt32(out var n) && n > 0
            ? n
            : throw new CoSearchException($"{board.Source}: fpga: \"{key}\" must be a positive whole number");
        var part = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("part", out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()!
            : throw new CoSearchException($"{board.Source}: fpga: \"part\" must be a string (the device, e.g. xc7z020clg400-1)");
        var source = e.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        return new FpgaPart(part, Count("dsp"), Count("bram36"), source);
    }
}

/// <summary>One on-chip buffer of a VTA configuration: its word width and depth and the 36 Kb block RAMs it takes.</summary>
public sealed record BufferEstimate(string Buffer, int WidthBits, int Depth, int Bram36);

/// <summary>
/// The FPGA resources a VTA configuration needs, estimated (not synthesised):
/// <list type="bullet">
/// <item>DSP: the GEMM core's BATCH × BLOCK_IN × BLOCK_OUT 8-bit multipliers, two per DSP slice (two INT8 products that
/// share an operand fit one DSP48's wide multiplier: Xilinx WP486, "Deep Learning with INT8 Optimization on Xilinx
/// Devices"); the ALU (add, max, shift) takes none. With one multiplier per slice VTA's own PYNQ configuration (256
/// multipliers) would not fit the Zynq-7020's 220 slices, which it does.</item>
/// <item>Block RAM: every buffer (input, weight, accumulator, output, micro-op; VTA's <c>hw_spec</c>: widths from the
/// configuration's element sizes, depths from its buffer sizes) laid out on RAMB36s in the aspect ratio that takes the
/// fewest (32K×1 … 1K×36, 512×72: Xilinx UG473, 7 Series FPGAs Memory Resources; the same primitives on UltraScale+,
/// UG573).</item>
/// </list>
/// Logic (LUTs, flip-flops) and the AXI interconnect are not counted; a configuration that passes may still fail timing
/// or placement, one that fails cannot be built on the part.
/// </summary>
public sealed record ResourceEstimate(int Dsp, int Bram36, IReadOnlyList<BufferEstimate> Buffers)
{
    /// <summary>RAMB36 aspect ratios (depth, width): UG473 table 1-3 / 1-4 (512×72 in simple dual-port mode).</summary>
    private static readonly (int Depth, int Width)[] Ramb36 = [(32768, 1), (16384, 2), (8192, 4), (4096, 9), (2048, 18), (1024, 36), (512, 72)];

    public static ResourceEstimate Of(VtaConfig c)
    {
        BufferEstimate Buffer(string name, int width, int depth) =>
            new(name, width, depth, Ramb36.Min(m => (int)(Math.Ceiling(width / (double)m.Width) * Math.Ceiling(depth / (double)m.Depth))));
        BufferEstimate[] buffers =
        [
            Buffer("input", c.InpElemBytes * 8, c.InpBuffDepth),
            Buffer("weight", c.WgtElemBytes * 8, c.WgtBuffDepth),
            Buffer("accumulator", c.AccElemBytes * 8, c.AccBuffDepth),
            Buffer("output", c.OutElemBytes * 8, c.OutBuffDepth),
            Buffer("micro-op", VtaConfig.MicroOpBytes * 8, c.UopBuffDepth),
        ];
        var multipliers = c.Batch * c.BlockIn * c.BlockOut;
        return new ResourceEstimate((multipliers + 1) / 2, buffers.Sum(b => b.Bram36), buffers);
    }

    /// <summary>Why the configuration does not fit <paramref name="part"/>, or null when it does.</summary>
    public string? Problem(FpgaPart part) =>
        Dsp > part.Dsp || Bram36 > part.Bram36
            ? string.Create(CultureInfo.InvariantCulture, $"needs {Dsp} DSP and {Bram36} 36 Kb block RAMs, the {part.Part} has {part.Dsp} and {part.Bram36}")
            : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Dsp} DSP, {Bram36} BRAM36 ({string.Join(", ", Buffers.Select(b => $"{b.Buffer} {b.WidthBits}×{b.Depth}: {b.Bram36}"))})");
}
