using HilTuner.Compiler.Space;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Session;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// What a tuner may use: the task (space, workload, board), its seed, and the builder, which tuners that look at
/// compile features of candidates share with the session so that nothing is compiled twice.
/// </summary>
public sealed record TunerContext(TuningTask Task, int Seed, IBuilder Builder)
{
    public ConfigSpace Space => Task.Space;
}
