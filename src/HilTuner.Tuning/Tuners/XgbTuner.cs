using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// The AutoTVM baseline (XGBTuner, a <see cref="ModelBasedTuner"/>): random configurations until <see cref="PlanSize"/>
/// outcomes include a success; then, every <see cref="PlanSize"/> outcomes, refit the ranking model on all of
/// them (failures with AutoTVM's penalty label 0) and plan the next batch by simulated annealing over the
/// model, the last 5 % of each plan being random (ε-greedy). Nothing is proposed twice.
/// </summary>
/// <remarks>
/// Differences from AutoTVM, and why:
/// <list type="bullet">
/// <item>The model is ML.NET's FastTree with a LambdaRank objective instead of XGBoost's <c>rank:pairwise</c>
/// (see <see cref="KnobCostModel"/>). The ranking loss is AutoTVM's default until 2023 (since then TVM's
/// tutorials map <c>xgb</c> to a regression loss and <c>xgb_rank</c> to this one).</item>
/// <item>Features are the knob values, AutoTVM's <c>knob</c> feature type. Its default, <c>itervar</c>, is
/// computed from the loop nest TVM lowers a configuration to, which only TVM has; compile features (what
/// HilTuner's compiler knows of a program) are the validity-aware tuners' business.</item>
/// <item>AutoTVM keeps only annealing results with a score ≥ 0; a ranking score has no meaningful zero, so only
/// the annealer's unfilled placeholders are dropped.</item>
/// <item>Transfer learning adds the earlier tasks' records to the training data as separate ranking groups
/// instead of training a base model whose margin the current model corrects; as in AutoTVM, the first plan
/// then comes from the model.</item>
/// </list>
/// </remarks>
public class XgbTuner : ModelBasedTuner
{
    private readonly KnobCostModel _knobs;

    public XgbTuner(ConfigSpace space, int seed, int planSize = 64)
        : this(space, seed, planSize, new KnobCostModel(space, seed))
    {
    }

    private XgbTuner(ConfigSpace space, int seed, int planSize, KnobCostModel model)
        : base(space, seed, planSize, RefitCadence.EveryPlan, model, random => new SimulatedAnnealing(space, random)) => _knobs = model;

    public override string Name => "xgb";

    /// <summary>
    /// Adds records of other tasks (or earlier runs) as training data, one ranking group per task; each task's
    /// GFLOPS are normalised by its own best. Plans the first batch from the model when there is any success.
    /// </summary>
    public override void Transfer(IEnumerable<IReadOnlyList<(float[] Features, double Gflops)>> tasks)
    {
        if (_knobs.AddHistory(tasks))
        {
            Refit();
        }
    }
}
