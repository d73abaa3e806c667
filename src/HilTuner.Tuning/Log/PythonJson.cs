using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HilTuner.Tuning.Log;

/// <summary>
/// Writes JSON exactly as Python's <c>json.dumps</c> does with its defaults, which is how AutoTVM writes its logs:
/// <c>", "</c> and <c>": "</c> separators, non-ASCII characters as <c>\uXXXX</c>, floats as Python's <c>repr</c>
/// (<c>1000000000.0</c>, <c>1e-05</c>). A record read from an AutoTVM log is written back byte for byte.
/// </summary>
internal static class PythonJson
{
    public static string Write(JsonNode? node)
    {
        var text = new StringBuilder();
        Append(text, node);
        return text.ToString();
    }

    private static void Append(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var firstMember = true;
                foreach (var (key, value) in obj)
                {
                    if (!firstMember)
                    {
                        text.Append(", ");
                    }

                    firstMember = false;
                    AppendString(text, key);
                    text.Append(": ");
                    Append(text, value);
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    Append(text, array[i]);
                }

                text.Append(']');
                break;
            case JsonValue value:
                AppendValue(text, value);
                break;
        }
    }

    private static void AppendValue(StringBuilder text, JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            // Read from a file: keep the number as it was written (AutoTVM's own 1000000000.0 stays so).
            if (element.ValueKind == JsonValueKind.String)
            {
                AppendString(text, element.GetString()!);
            }
            else
            {
                text.Append(element.GetRawText());
            }

            return;
        }

        if (value.TryGetValue<string>(out var s))
        {
            AppendString(text, s);
        }
        else if (value.TryGetValue<bool>(out var b))
        {
            text.Append(b ? "true" : "false");
        }
        else if (value.TryGetValue<double>(out var d))
        {
            // Only a value created from a double matches here (an int stays an int, as in Python).
            text.Append(Float(d));
        }
        else
        {
            text.Append(value.ToJsonString());
        }
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, positional unless the exponent is below −4 or above 15.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        // "E16" would pad; "R" gives the shortest digits that round-trip, in .NET's own layout. Re-lay them out.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }

        var exponentAt = r.IndexOf('E');
        var mantissa = exponentAt < 0 ? r : r[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(r[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var decimalPoint = (point < 0 ? mantissa.Length : point) + exponent;

        // Normalise: strip leading zeros (0.001 → digits "1", point −2) and trailing zeros.
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..];
        decimalPoint -= leading;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return negative ? "-0.0" : "0.0";
        }

        // Python's float_repr_style 'short': scientific when the decimal exponent (point − 1) < −4 or ≥ 16.
        var scientific = decimalPoint - 1;
        string laidOut;
        if (scientific < -4 || scientific >= 16)
        {
            var fraction = digits.Length > 1 ? "." + digits[1..] : string.Empty;
            laidOut = string.Create(CultureInfo.InvariantCulture, $"{digits[0]}{fraction}e{(scientific < 0 ? '-' : '+')}{Math.Abs(scientific):00}");
        }
        else if (decimalPoint <= 0)
        {
            laidOut = "0." + new string('0', -decimalPoint) + digits;
        }
        else if (decimalPoint >= digits.Length)
        {
            laidOut = digits + new string('0', decimalPoint - digits.Length) + ".0";
        }
        else
        {
            laidOut = digits[..decimalPoint] + "." + digits[decimalPoint..];
        }

        return negative ? "-" + laidOut : laidOut;
    }

    private static void AppendString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }
}
