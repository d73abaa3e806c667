using HilTuner.IO;
using System.Text;
using System.Text.Json;
using HilTuner.Vta.Isa;

namespace HilTuner.Cli.Commands;

/// <summary>
/// Reads an instruction stream in any of the forms HilTuner writes or reads: raw 16-byte little-endian words
/// (as in DRAM), hex lines (as <c>isa encode</c> prints them, with or without the JSON wrapper), or the JSON
/// lines <c>isa encode</c> reads; <c>#</c> lines are comments. <c>sim run --dump-program</c> writes hex lines.
/// </summary>
internal static class ProgramFile
{
    public static IReadOnlyList<InstructionWord> Read(string path, IsaLayout layout)
    {
        byte[] bytes;
        try
        {
            bytes = InputFile.ReadAllBytes(path, 256 * InputFile.MiB);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot be read: {e.Message}");
        }

        if (!LooksLikeText(bytes))
        {
            if (bytes.Length % 16 != 0)
            {
                throw new CliException($"{path}: {bytes.Length} bytes is not a whole number of 16-byte instructions");
            }

            return InstructionStream.ReadWords(bytes);
        }

        var words = new List<InstructionWord>();
        var lineNumber = 0;
        foreach (var raw in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            try
            {
                words.Add(ParseLine(line, layout));
            }
            catch (Exception e) when (e is FormatException or JsonException or ArgumentException or IsaFieldOverflowException or KeyNotFoundException or InvalidOperationException)
            {
                throw new CliException($"{path}: line {lineNumber}: {e.Message}");
            }
        }

        return words;
    }

    /// <summary>
    /// Writes <paramref name="instructions"/> as hex lines under a <c>#</c> comment line, to a new file (an existing one is
    /// never overwritten).
    /// </summary>
    public static void Write(string path, IReadOnlyList<InstructionWord> instructions, string comment)
    {
        var text = new StringBuilder();
        // Printable ASCII only: a file of hex lines must still look like text when it is read back.
        text.Append("# ").Append(comment.Select(c => c is >= ' ' and < '\x7f' ? c : '?').ToArray()).Append('\n');
        foreach (var word in instructions)
        {
            text.Append(word.ToHex()).Append('\n');
        }

        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot be written: {e.Message}");
        }
    }

    private static InstructionWord ParseLine(string line, IsaLayout layout)
    {
        if (!line.StartsWith('{'))
        {
            return InstructionWord.ParseHex(line);
        }

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.TryGetProperty("hex", out var hex))
        {
            return InstructionWord.ParseHex(hex.GetString() ?? string.Empty);
        }

        var kindName = root.GetProperty("kind").GetString() ?? string.Empty;
        if (!InstructionKindNames.TryParse(kindName, out var kind) || kind == InstructionKind.MicroOp)
        {
            throw new FormatException($"\"{kindName}\" is not an instruction kind (mem, gemm, alu, finish)");
        }

        var fields = root.TryGetProperty("fields", out var f)
            ? f.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal)
            : [];
        return InstructionFields.Encode(layout, kind, fields);
    }

    private static bool LooksLikeText(byte[] bytes) =>
        bytes.Length > 0 && bytes.All(b => b is (byte)'\n' or (byte)'\r' or (byte)'\t' || (b >= 0x20 && b < 0x7f));
}
