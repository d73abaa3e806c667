namespace HilTuner.Vta.Isa;

/// <summary>
/// Encoding and decoding by hw_spec.h's C member names, for tools and tests that speak in fields
/// (<c>hiltuner isa encode/decode</c>). Any value that fits its field encodes, whether or not the program
/// would make sense.
/// </summary>
public static class InstructionFields
{
    /// <summary>
    /// Encodes an instruction of <paramref name="kind"/> (not <see cref="InstructionKind.MicroOp"/>). Missing fields
    /// are 0, except the opcode, which defaults to the kind's own (LOAD for memory instructions).
    /// </summary>
    /// <exception cref="ArgumentException">a field that the kind does not have.</exception>
    /// <exception cref="IsaFieldOverflowException">a value that does not fit its field.</exception>
    public static InstructionWord Encode(IsaLayout layout, InstructionKind kind, IReadOnlyDictionary<string, long> values)
    {
        if (kind == InstructionKind.MicroOp)
        {
            throw new ArgumentException("a micro-op is 32 bits: use EncodeMicroOp", nameof(kind));
        }

        var fields = layout.Fields(kind);
        CheckNames(fields, kind, values);
        var word = default(InstructionWord);
        foreach (var field in fields)
        {
            var value = values.TryGetValue(field.Name, out var given) ? given
                : field.Name == "opcode" ? (long)DefaultOpcode(kind) : 0;
            word = field.Insert(word, value);
        }

        return word;
    }

    public static uint EncodeMicroOp(IsaLayout layout, IReadOnlyDictionary<string, long> values)
    {
        var fields = layout.Fields(InstructionKind.MicroOp);
        CheckNames(fields, InstructionKind.MicroOp, values);
        var word = 0u;
        foreach (var field in fields)
        {
            word = field.Insert(word, values.GetValueOrDefault(field.Name));
        }

        return word;
    }

    /// <summary>
    /// Decodes a word into its kind and fields in declaration order; null kind (with only the common header)
    /// for the undefined opcodes 5–7.
    /// </summary>
    public static (InstructionKind? Kind, IReadOnlyList<KeyValuePair<string, long>> Fields) Decode(IsaLayout layout, InstructionWord word)
    {
        var kind = IsaLayout.KindOf(word);
        var fields = kind is { } k ? layout.Fields(k) : layout.Fields(InstructionKind.Memory).Take(5).ToList();
        return (kind, fields.Select(f => KeyValuePair.Create(f.Name, f.Extract(word))).ToList());
    }

    public static IReadOnlyList<KeyValuePair<string, long>> DecodeMicroOp(IsaLayout layout, uint word) =>
        layout.Fields(InstructionKind.MicroOp).Select(f => KeyValuePair.Create(f.Name, f.Extract(word))).ToList();

    private static Opcode DefaultOpcode(InstructionKind kind) => kind switch
    {
        InstructionKind.Gemm => Opcode.Gemm,
        InstructionKind.Alu => Opcode.Alu,
        InstructionKind.Finish => Opcode.Finish,
        _ => Opcode.Load,
    };

    private static void CheckNames(IReadOnlyList<BitField> fields, InstructionKind kind, IReadOnlyDictionary<string, long> values)
    {
        foreach (var name in values.Keys)
        {
            if (!fields.Any(f => f.Name == name))
            {
                throw new ArgumentException(
                    $"\"{name}\" is not a field of a {kind.JsonName()} instruction (its fields: {string.Join(", ", fields.Select(f => f.Name))})");
            }
        }
    }
}
