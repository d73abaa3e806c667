using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// AutoTVM's "knob" features of a configuration: the value each knob takes — the inner factor of each split,
/// the value of each other knob — in knob order.
/// </summary>
public static class KnobFeatures
{
    public static float[] Of(Configuration configuration)
    {
        var knobs = configuration.Space.Knobs;
        var features = new float[knobs.Count];
        for (var i = 0; i < knobs.Count; i++)
        {
            features[i] = knobs[i].Value(configuration.Choices[i]);
        }

        return features;
    }
}
