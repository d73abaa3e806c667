using System.Text.Json.Nodes;

namespace HilTuner.Compiler.Space;

/// <summary>One point of a search space: its AutoTVM index and the choice made for each knob.</summary>
public sealed class Configuration(ConfigSpace space, long index, int[] choices)
{
    private readonly int[] _choices = choices;

    public ConfigSpace Space { get; } = space;

    /// <summary>AutoTVM's index of the configuration.</summary>
    public long Index { get; } = index;

    /// <summary>The choice index per knob, in knob order.</summary>
    public IReadOnlyList<int> Choices => _choices;

    /// <summary>The schedule's value of a knob: the inner split factor, or the knob's value.</summary>
    public int this[string knob]
    {
        get
        {
            for (var i = 0; i < Space.Knobs.Count; i++)
            {
                if (Space.Knobs[i].Name == knob)
                {
                    return Space.Knobs[i].Value(_choices[i]);
                }
            }

            throw new KeyNotFoundException($"the {Space.Template} space has no knob \"{knob}\"");
        }
    }

    /// <summary>AutoTVM's entity: <c>[["tile_b", "sp", [-1, 1]], …, ["h_nthread", "ot", 1]]</c>.</summary>
    public JsonArray Entity()
    {
        var entity = new JsonArray();
        for (var i = 0; i < Space.Knobs.Count; i++)
        {
            var knob = Space.Knobs[i];
            entity.Add((JsonNode)new JsonArray(knob.Name, knob.Tag, knob.EntityJson(_choices[i])));
        }

        return entity;
    }

    /// <summary>Knob values as a compact object, e.g. <c>{"tile_h": 7, …}</c>.</summary>
    public JsonObject Knobs()
    {
        var knobs = new JsonObject();
        for (var i = 0; i < Space.Knobs.Count; i++)
        {
            knobs[Space.Knobs[i].Name] = Space.Knobs[i].Value(_choices[i]);
        }

        return knobs;
    }

    public override string ToString() => $"#{Index} {Knobs().ToJsonString()}";
}
