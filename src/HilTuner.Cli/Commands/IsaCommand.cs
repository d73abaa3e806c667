using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HilTuner.Vta.Isa;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner isa encode | decode | dis</c>: the ISA by hw_spec.h's field names.</summary>
internal static class IsaCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("isa", "Encode, decode and disassemble VTA instructions and micro-ops");

        var encodeBoard = BoardOption.Create();
        var encode = new Command("encode", """
            Read JSON lines {"kind": "mem"|"gemm"|"alu"|"finish"|"uop", "fields": {…}} on stdin (field names as the C members of
            hw_spec.h) and print one line {"hex": "…"} each: 32 hex digits for an instruction, 8 for a micro-op, most significant first.
            A line that cannot be encoded stops the command: one line on stderr names it, exit code 2 (the lines before it are printed).
            """) { encodeBoard };
        encode.SetAction(parse => Encode(context, IsaLayout.For(BoardOption.Load(parse, encodeBoard).Vta)));

        var decodeBoard = BoardOption.Create();
        var decode = new Command("decode", """
            Read hex lines on stdin (32 digits: an instruction, 8 digits: a micro-op), bare or as `isa encode` prints them
            ({"hex": "…"}), and print {"kind": …, "fields": {…}} for each.
            A line that cannot be decoded stops the command: one line on stderr names it, exit code 2.
            """) { decodeBoard };
        decode.SetAction(parse => Decode(context, IsaLayout.For(BoardOption.Load(parse, decodeBoard).Vta)));

        var disBoard = BoardOption.Create();
        var program = new Argument<string>("PROGRAM")
        {
            Description = "An instruction stream: raw 16-byte little-endian words, hex lines, or the JSON lines of `isa encode`",
        };
        var dis = new Command("dis", "Disassemble a program, one instruction per line") { program, disBoard };
        dis.SetAction(parse => Disassemble(context, IsaLayout.For(BoardOption.Load(parse, disBoard).Vta), parse.GetValue(program)!));

        command.Subcommands.Add(encode);
        command.Subcommands.Add(decode);
        command.Subcommands.Add(dis);
        return command;
    }

    private static int Encode(CliContext context, IsaLayout layout)
    {
        var lineNumber = 0;
        while (context.In.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var (kind, fields) = ParseEncodeLine(line);
                var hex = kind == InstructionKind.MicroOp
                    ? InstructionFields.EncodeMicroOp(layout, fields).ToString("x8", CultureInfo.InvariantCulture)
                    : InstructionFields.Encode(layout, kind, fields).ToHex();
                WriteJson(context.Out, w => w.WriteString("hex", hex));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or IsaFieldOverflowException or JsonException)
            {
                // An output line in its place would shift every later one against its input in a pipe: the bad line stops it.
                throw new CliException($"stdin line {lineNumber}: {e.Message}");
            }
        }

        return 0;
    }

    private static (InstructionKind Kind, Dictionary<string, long> Fields) ParseEncodeLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kindElement) || kindElement.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("expected an object with a string \"kind\" and an object \"fields\"");
        }

        var kindName = kindElement.GetString()!;
        if (!InstructionKindNames.TryParse(kindName, out var kind))
        {
            throw new FormatException($"unknown kind \"{kindName}\" (expected mem, gemm, alu, finish or uop)");
        }

        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        if (root.TryGetProperty("fields", out var fieldsElement))
        {
            if (fieldsElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("\"fields\" must be an object");
            }

            foreach (var field in fieldsElement.EnumerateObject())
            {
                fields[field.Name] = field.Value.ValueKind switch
                {
                    JsonValueKind.Number when field.Value.TryGetInt64(out var value) => value,
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    _ => throw new FormatException($"field {field.Name} must be a whole number, not {field.Value.GetRawText()}"),
                };
            }
        }

        return (kind, fields);
    }

    private static int Decode(CliContext context, IsaLayout layout)
    {
        var lineNumber = 0;
        while (context.In.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                if (text.StartsWith('{'))
                {
                    // A line of `isa encode`: its hex is decoded, so encode | decode is a pipe.
                    text = EncodedLine(text);
                }

                if (text.Length == 8)
                {
                    var uop = uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    WriteDecoded(context.Out, InstructionKind.MicroOp.JsonName(), InstructionFields.DecodeMicroOp(layout, uop));
                }
                else
                {
                    var (kind, fields) = InstructionFields.Decode(layout, InstructionWord.ParseHex(text));
                    WriteDecoded(context.Out, kind?.JsonName() ?? "undefined", fields);
                }
            }
            catch (FormatException e)
            {
                throw new CliException($"stdin line {lineNumber}: {e.Message} (an instruction is 32 hex digits, a micro-op 8)");
            }
        }

        return 0;
    }

    /// <summary>The hex of an <c>isa encode</c> output line.</summary>
    private static string EncodedLine(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("hex", out var hex) && hex.ValueKind == JsonValueKind.String)
            {
                return hex.GetString()!.Trim();
            }
        }
        catch (JsonException)
        {
        }

        throw new FormatException("a JSON line must be {\"hex\": \"…\"} as `isa encode` prints it");
    }

    private static int Disassemble(CliContext context, IsaLayout layout, string path)
    {
        var program = ProgramFile.Read(path, layout);
        foreach (var line in Disassembler.FormatProgram(layout, program))
        {
            context.Out.WriteLine(line);
        }

        return 0;
    }

    private static void WriteDecoded(TextWriter output, string kind, IReadOnlyList<KeyValuePair<string, long>> fields) =>
        WriteJson(output, w =>
        {
            w.WriteString("kind", kind);
            w.WriteStartObject("fields");
            foreach (var (name, value) in fields)
            {
                w.WriteNumber(name, value);
            }

            w.WriteEndObject();
        });

    private static void WriteJson(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, HumanJson.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
