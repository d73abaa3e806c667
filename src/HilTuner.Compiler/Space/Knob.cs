using System.Text.Json.Nodes;

namespace HilTuner.Compiler.Space;

/// <summary>One tunable parameter of a template, in AutoTVM's terms.</summary>
public abstract class Knob(string name)
{
    /// <summary>The knob's name as the template defines it, e.g. <c>tile_h</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Number of choices.</summary>
    public abstract int Count { get; }

    /// <summary>AutoTVM's entity type tag: <c>sp</c> for splits, <c>ot</c> for other knobs.</summary>
    public abstract string Tag { get; }

    /// <summary>The value the schedule uses for <paramref name="choice"/>: the inner split factor, or the knob value.</summary>
    public abstract int Value(int choice);

    /// <summary>The choice whose value is <paramref name="value"/>, or −1.</summary>
    public abstract int ChoiceOf(int value);

    /// <summary>AutoTVM's JSON form of the entity for <paramref name="choice"/>: <c>[-1, f]</c> or the value.</summary>
    public abstract JsonNode EntityJson(int choice);
}

/// <summary>
/// A two-way split of an axis with AutoTVM's <c>factors</c> policy: one choice per divisor of the axis length,
/// ascending; the entity is <c>[-1, f]</c> with f the inner factor.
/// </summary>
public sealed class SplitKnob : Knob
{
    private readonly int[] _factors;

    public SplitKnob(string name, int length)
        : base(name)
    {
        Length = length;
        _factors = Enumerable.Range(1, length).Where(f => length % f == 0).ToArray();
    }

    /// <summary>Length of the split axis.</summary>
    public int Length { get; }

    public IReadOnlyList<int> Factors => _factors;

    public override int Count => _factors.Length;

    public override string Tag => "sp";

    public override int Value(int choice) => _factors[choice];

    public override int ChoiceOf(int value) => Array.IndexOf(_factors, value);

    public override JsonNode EntityJson(int choice) => new JsonArray(-1, _factors[choice]);
}

/// <summary>A knob over a list of values (AutoTVM's <c>define_knob</c>, entity type <c>ot</c>).</summary>
public sealed class OtherKnob(string name, params int[] values) : Knob(name)
{
    private readonly int[] _values = values;

    public IReadOnlyList<int> Values => _values;

    public override int Count => _values.Length;

    public override string Tag => "ot";

    public override int Value(int choice) => _values[choice];

    public override int ChoiceOf(int value) => Array.IndexOf(_values, value);

    public override JsonNode EntityJson(int choice) => JsonValue.Create(_values[choice]);
}
