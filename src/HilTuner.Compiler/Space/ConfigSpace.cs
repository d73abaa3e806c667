using System.Text.Json;
using System.Text.Json.Nodes;

namespace HilTuner.Compiler.Space;

/// <summary>
/// A template's search space: the Cartesian product of its knobs. A configuration's index is AutoTVM's
/// mixed-radix number with the first-defined knob as the least significant digit, so indices and entities
/// mean what they mean in an AutoTVM log.
/// </summary>
public sealed class ConfigSpace
{
    public ConfigSpace(string template, IReadOnlyList<Knob> knobs)
    {
        Template = template;
        Knobs = knobs;
        Size = knobs.Aggregate(1L, (size, knob) => size * knob.Count);
    }

    public string Template { get; }

    public IReadOnlyList<Knob> Knobs { get; }

    /// <summary>Number of configurations.</summary>
    public long Size { get; }

    public Knob this[string name] => Knobs.FirstOrDefault(k => k.Name == name)
        ?? throw new KeyNotFoundException($"the {Template} space has no knob \"{name}\" (knobs: {string.Join(", ", Knobs.Select(k => k.Name))})");

    /// <summary>The configuration with AutoTVM index <paramref name="index"/>.</summary>
    public Configuration Get(long index)
    {
        if (index < 0 || index >= Size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the {Template} space has indices 0 to {Size - 1}");
        }

        var choices = new int[Knobs.Count];
        var rest = index;
        for (var i = 0; i < Knobs.Count; i++)
        {
            choices[i] = (int)(rest % Knobs[i].Count);
            rest /= Knobs[i].Count;
        }

        return new Configuration(this, index, choices);
    }

    /// <summary>The configuration with the given choice per knob (in knob order).</summary>
    public Configuration FromChoices(IReadOnlyList<int> choices)
    {
        var index = 0L;
        var radix = 1L;
        for (var i = 0; i < Knobs.Count; i++)
        {
            if (choices[i] < 0 || choices[i] >= Knobs[i].Count)
            {
                throw new ArgumentOutOfRangeException(nameof(choices), $"choice {choices[i]} of {Knobs[i].Name} is out of 0..{Knobs[i].Count - 1}");
            }

            index += choices[i] * radix;
            radix *= Knobs[i].Count;
        }

        return new Configuration(this, index, choices.ToArray());
    }

    /// <summary>
    /// The configuration given by knob values: <c>{"tile_h": 7, "oc_nthread": 2, …}</c> (inner split factors and
    /// knob values; missing knobs take their first choice), or an AutoTVM entity list <c>[["tile_h", "sp", [-1, 7]], …]</c>.
    /// </summary>
    public Configuration FromKnobs(string json) => FromKnobs(json, complete: false);

    /// <summary>
    /// As <see cref="FromKnobs(string)"/>; with <paramref name="complete"/> every knob of the space must be given (what a
    /// user types: a knob left out would silently take its first choice).
    /// </summary>
    public Configuration FromKnobs(string json, bool complete)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"knobs: not valid JSON: {e.Message}");
        }

        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    values[name] = WholeNumber(value is JsonArray { Count: 2 } pair ? pair[1] : value)
                        ?? throw new FormatException($"knobs: {name} must be a whole number (the inner split factor or the knob value)");
                }

                break;
            case JsonArray entity:
                foreach (var item in entity)
                {
                    if (item is not JsonArray { Count: 3 } e || e[0] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var knob))
                    {
                        throw new FormatException("knobs: an entity list holds [name, type, value] triples");
                    }

                    values[knob] = WholeNumber(e[2] is JsonArray { Count: > 0 } split ? split[^1] : e[2])
                        ?? throw new FormatException($"knobs: {knob} must be a whole number or a split list ending in one");
                }

                break;
            default:
                throw new FormatException("knobs: expected an object {\"tile_h\": 7, …} or an AutoTVM entity list");
        }

        var choices = new int[Knobs.Count];
        foreach (var (name, value) in values)
        {
            var i = Knobs.ToList().FindIndex(k => k.Name == name);
            if (i < 0)
            {
                throw new FormatException($"knobs: the {Template} space has no knob \"{name}\" (knobs: {string.Join(", ", Knobs.Select(k => k.Name))})");
            }

            choices[i] = Knobs[i].ChoiceOf(value);
            if (choices[i] < 0)
            {
                var allowed = Knobs[i] is SplitKnob s ? string.Join(", ", s.Factors) : string.Join(", ", ((OtherKnob)Knobs[i]).Values);
                throw new FormatException($"knobs: {name} = {value} is not one of its choices ({allowed})");
            }
        }

        var missing = Knobs.Select(k => k.Name).Where(name => !values.ContainsKey(name)).ToList();
        if (complete && missing.Count > 0)
        {
            throw new FormatException($"knobs: {string.Join(", ", missing)} missing; give every knob of the {Template} space ({string.Join(", ", Knobs.Select(k => k.Name))})");
        }

        return FromChoices(choices);
    }

    /// <summary>A JSON whole number that fits an int, or null.</summary>
    private static int? WholeNumber(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
}
