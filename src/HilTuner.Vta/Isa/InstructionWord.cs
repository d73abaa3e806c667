using System.Buffers.Binary;
using System.Globalization;

namespace HilTuner.Vta.Isa;

/// <summary>
/// One 128-bit VTA instruction as it sits in DRAM: bit 0 is the least significant bit of <see cref="Low"/>;
/// in memory the 16 bytes are little-endian, <see cref="Low"/> first.
/// </summary>
public readonly record struct InstructionWord(ulong Low, ulong High)
{
    /// <summary>The opcode field (bits 0–2), whatever the instruction kind.</summary>
    public int OpcodeBits => (int)(Low & 7);

    /// <summary>32 lowercase hex digits, most significant first.</summary>
    public string ToHex() => string.Create(CultureInfo.InvariantCulture, $"{High:x16}{Low:x16}");

    public override string ToString() => ToHex();

    public static InstructionWord ParseHex(string hex)
    {
        var text = hex.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        if (text.Length != 32 || !ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !ulong.TryParse(text.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            throw new FormatException($"\"{hex}\" is not a 128-bit instruction: expected 32 hex digits");
        }

        return new InstructionWord(low, high);
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Low);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], High);
    }

    public static InstructionWord ReadFrom(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(source), BinaryPrimitives.ReadUInt64LittleEndian(source[8..]));
}
