using HilTuner.Compiler.Space;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Session;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// What a tuner may use: the task (space, workload, board), its seed, the builder — which tuners that look at
/// compile features of candidates share with the session, so that nothing is compiled twice — and what is known
/// from other tasks.
/// </summary>
public sealed record TunerContext(TuningTask Task, int Seed, IBuilder Builder)
{
    public ConfigSpace Space => Task.Space;

    public TunerPriors Priors { get; init; } = TunerPriors.None;

    /// <summary>ML²Tuner's α: each round plans (α + 1)·N candidates and measures N.</summary>
    public int Alpha { get; init; } = 3;

    /// <summary>What the XGB baseline's cost model sees of a configuration (<c>--xgb-feature</c>): program features by default, as AutoTVM's <c>itervar</c>.</summary>
    public XgbFeatureKind XgbFeature { get; init; } = XgbFeatureKind.Program;
}
