using System.Runtime.CompilerServices;

namespace HilTuner.Vta.Isa;

/// <summary>
/// One named field of an instruction or micro-op: its first bit and width. Fields never straddle a
/// 64-bit word (the C bit-field ABI hw_spec.h relies on), so each lives wholly in the low or high word.
/// </summary>
public sealed class BitField
{
    internal BitField(string name, int offset, int width, bool signed, string? configKey)
    {
        Name = name;
        Offset = offset;
        Width = width;
        Signed = signed;
        ConfigKey = configKey;
        Mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        _word = offset / 64;
        _shift = offset % 64;
    }

    private readonly int _word;
    private readonly int _shift;

    /// <summary>The C member name in hw_spec.h, e.g. <c>sram_base</c>.</summary>
    public string Name { get; }

    /// <summary>Position of the field's least significant bit in the 128-bit word (or 32-bit micro-op).</summary>
    public int Offset { get; }

    public int Width { get; }

    /// <summary>Two's complement (only <c>imm</c>).</summary>
    public bool Signed { get; }

    /// <summary>The configuration key the width derives from, null for fixed widths.</summary>
    public string? ConfigKey { get; }

    public ulong Mask { get; }

    /// <summary>The last bit of the field (inclusive).</summary>
    public int LastBit => Offset + Width - 1;

    public long MinValue => MinOf(Width, Signed);

    public long MaxValue => MaxOf(Width, Signed);

    public static long MinOf(int width, bool signed) => signed ? -(1L << (width - 1)) : 0;

    public static long MaxOf(int width, bool signed) => signed ? (1L << (width - 1)) - 1 : width >= 63 ? long.MaxValue : (1L << width) - 1;

    public bool Fits(long value) => value >= MinValue && value <= MaxValue;

    /// <summary>
    /// Writes <paramref name="value"/> into the field; throws <see cref="IsaFieldOverflowException"/> if it does not fit,
    /// unless <paramref name="truncate"/>: then only its low <see cref="Width"/> bits are kept, as an assignment to a C
    /// bit-field keeps them (VTA's runtime builds instructions so, runtime.cc into hw_spec.h's bit-fields, unchecked).
    /// </summary>
    public InstructionWord Insert(InstructionWord word, long value, bool truncate = false)
    {
        if (!truncate && !Fits(value))
        {
            throw new IsaFieldOverflowException(Name, Width, Signed, value);
        }

        var bits = ((ulong)value & Mask) << _shift;
        var clear = ~(Mask << _shift);
        return _word == 0
            ? word with { Low = (word.Low & clear) | bits }
            : word with { High = (word.High & clear) | bits };
    }

    /// <summary>Writes each value into its field in turn (see <see cref="Insert(InstructionWord, long, bool)"/>).</summary>
    public static InstructionWord InsertAll(InstructionWord word, bool truncate, params ReadOnlySpan<(BitField Field, long Value)> fields)
    {
        foreach (var (field, value) in fields)
        {
            word = field.Insert(word, value, truncate);
        }

        return word;
    }

    /// <summary>Reads the field (sign-extended for signed fields).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Extract(InstructionWord word)
    {
        var raw = ((_word == 0 ? word.Low : word.High) >> _shift) & Mask;
        return Signed ? SignExtend(raw) : (long)raw;
    }

    /// <summary>Writes a micro-op field; throws <see cref="IsaFieldOverflowException"/> if it does not fit, unless <paramref name="truncate"/> (see above).</summary>
    public uint Insert(uint word, long value, bool truncate = false)
    {
        if (!truncate && !Fits(value))
        {
            throw new IsaFieldOverflowException(Name, Width, Signed, value);
        }

        return (uint)((word & ~(Mask << Offset)) | (((ulong)value & Mask) << Offset));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Extract(uint word)
    {
        var raw = (word >> Offset) & Mask;
        return Signed ? SignExtend(raw) : (long)raw;
    }

    private long SignExtend(ulong raw)
    {
        var shift = 64 - Width;
        return (long)(raw << shift) >> shift;
    }

    public override string ToString() => $"{Name}[{LastBit}:{Offset}]";
}
