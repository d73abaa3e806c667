using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HilTuner.Cli.Commands;

/// <summary>
/// JSON a person reads (command output, not logs), written with the relaxed encoder: <c>'</c>, <c>&lt;</c>, <c>&gt;</c>,
/// <c>&amp;</c>, <c>+</c> and non-ASCII text appear as themselves, and <c>"</c> in a string as <c>\"</c>, instead of
/// <c>\u0027</c>, <c>\u0022</c> and the like. Tuning logs keep AutoTVM's format (<see cref="HilTuner.Tuning.Log.TuningRecord.ToJsonLine"/>).
/// </summary>
internal static class HumanJson
{
    public static JsonSerializerOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><paramref name="node"/> on one line.</summary>
    public static string Write(JsonNode node) => node.ToJsonString(Options);
}
