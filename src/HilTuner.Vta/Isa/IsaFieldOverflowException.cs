namespace HilTuner.Vta.Isa;

/// <summary>A value that does not fit the instruction or micro-op field it is meant for.</summary>
public sealed class IsaFieldOverflowException(string field, int width, bool signed, long value)
    : Exception($"{field} = {value} does not fit its {width}-bit {(signed ? "signed" : "unsigned")} field " +
        $"(range {BitField.MinOf(width, signed)} to {BitField.MaxOf(width, signed)})")
{
    public string Field { get; } = field;
    public int Width { get; } = width;
    public long Value { get; } = value;
}
