using System.Globalization;
using System.Text.Json;

namespace HilTuner.Vta.Config;

/// <summary>
/// One JSON object of a board file, read with errors that name the file and the dotted key path.
/// Every key read is remembered so that unknown keys (typos) can be reported.
/// </summary>
public sealed class JsonSection
{
    private readonly string _file;
    private readonly string _path;
    private readonly JsonElement _element;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public JsonSection(string file, string path, JsonElement element)
    {
        _file = file;
        _path = path;
        _element = element;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(string.Empty, $"must be a JSON object, found {Describe(element)}");
        }
    }

    public string Key(string name) => _path.Length == 0 ? name : $"{_path}.{name}";

    public BoardFileException Error(string name, string problem) =>
        new(_file, name.Length == 0 ? _path : Key(name), problem);

    public bool Has(string name)
    {
        _known.Add(name);
        return _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;
    }

    public JsonSection Section(string name) => new(_file, Key(name), Require(name));

    public JsonSection? OptionalSection(string name) => Has(name) ? Section(name) : null;

    public JsonElement? OptionalRaw(string name) => Has(name) ? Require(name).Clone() : null;

    /// <summary>The longest string a board file may hold (a description, a command line, a path): 4096 characters.</summary>
    public const int MaxStringLength = 4096;

    /// <summary>A string of at most <paramref name="maxLength"/> characters, without control characters (names, hosts and commands are printed, logged and run).</summary>
    public string String(string name, int maxLength = MaxStringLength)
    {
        var value = Require(name);
        return value.ValueKind == JsonValueKind.String
            ? Checked(name, value.GetString()!, maxLength)
            : throw Error(name, $"must be a string, found {Describe(value)}");
    }

    public string? OptionalString(string name) => Has(name) ? String(name) : null;

    private string Checked(string name, string text, int maxLength)
    {
        if (text.Length > maxLength)
        {
            throw Error(name, $"is {text.Length} characters long; at most {maxLength}");
        }

        var control = text.AsSpan().IndexOfAnyInRange('\u0000', '\u001f');
        control = control >= 0 ? control : text.IndexOf('\u007f', StringComparison.Ordinal);
        return control < 0
            ? text
            : throw Error(name, string.Create(CultureInfo.InvariantCulture, $"contains a control character (U+{(int)text[control]:X4} at position {control + 1})"));
    }

    public bool Bool(string name, bool fallback)
    {
        if (!Has(name))
        {
            return fallback;
        }

        var value = Require(name);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(name, $"must be true or false, found {Describe(value)}"),
        };
    }

    /// <summary>A JSON array of strings.</summary>
    public IReadOnlyList<string> Strings(string name)
    {
        var value = Require(name);
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            throw Error(name, $"must be an array of strings, found {Describe(value)}");
        }

        return [.. value.EnumerateArray().Select(v => Checked(name, v.GetString()!, MaxStringLength))];
    }

    public int Int(string name)
    {
        var value = Require(name);
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result))
        {
            return result;
        }

        throw Error(name, $"must be a whole number, found {Describe(value)}");
    }

    public int Int(string name, int fallback) => Has(name) ? Int(name) : fallback;

    public double Double(string name)
    {
        var value = Require(name);
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Error(name, $"must be a number, found {Describe(value)}");
        }

        return value.TryGetDouble(out var result) && double.IsFinite(result)
            ? result
            : throw Error(name, $"{value.GetRawText()} is beyond the range of a number");
    }

    /// <summary>A number between <paramref name="min"/> and <paramref name="max"/> (both included), or the fallback when absent.</summary>
    public double Double(string name, double fallback, double min, double max, string unit)
    {
        var value = Double(name, fallback);
        return value >= min && value <= max
            ? value
            : throw Error(name, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value} must be between {min} and {max} {unit}"));
    }

    /// <summary>A whole number between <paramref name="min"/> and <paramref name="max"/> (both included), or the fallback when absent.</summary>
    public int Int(string name, int fallback, int min, int max)
    {
        var value = Int(name, fallback);
        return value >= min && value <= max ? value : throw Error(name, $"{value} must be between {min} and {max}");
    }

    public double Double(string name, double fallback) => Has(name) ? Double(name) : fallback;

    /// <summary>A 32- or 64-bit address given as a number or as a <c>"0x…"</c> string.</summary>
    public ulong Address(string name)
    {
        var value = Require(name);
        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }
        }

        throw Error(name, $"must be an address (a number or a \"0x…\" hex string), found {Describe(value)}");
    }

    public void RejectUnknownKeys()
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!_known.Contains(property.Name))
            {
                var expected = string.Join(", ", _known.Order(StringComparer.Ordinal));
                throw Error(property.Name, $"unknown key (expected one of: {expected})");
            }
        }
    }

    private JsonElement Require(string name)
    {
        _known.Add(name);
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Error(name, "missing");
        }

        return value;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
