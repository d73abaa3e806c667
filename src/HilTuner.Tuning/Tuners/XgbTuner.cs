namespace HilTuner.Tuning.Tuners;

/// <summary>
/// The AutoTVM baseline as VTA's tutorial (<c>tune_relay_vta.py</c>) runs it: XGBTuner with the rank loss, a
/// <see cref="ModelBasedTuner"/> — random configurations until <see cref="ModelBasedTuner.PlanSize"/> (64) outcomes include
/// a success; then, every 64 outcomes, refit the cost model (<see cref="XgbCostModel"/>) on all of them (failures with
/// AutoTVM's label 0) and plan the next 64 by simulated annealing over it, keeping the points scored ≥ 0, the last 5 % of
/// each plan being random (ε-greedy). Features: the program's by default (our <c>itervar</c>), or the knobs
/// (<see cref="TunerContext.XgbFeature"/>). Transfer learning from the records of tasks tuned before
/// (<see cref="Transfer(IReadOnlyList{TransferTask})"/>, AutoTVM's <c>load_history</c>).
/// Every remaining difference from AutoTVM is listed in docs/research/xgb-baseline.md.
/// </summary>
public class XgbTuner : ModelBasedTuner
{
    private readonly TunerContext _context;
    private readonly XgbCostModel _xgb;

    public XgbTuner(TunerContext context, int planSize = 64)
        : this(context, planSize, new XgbCostModel(XgbFeatures.Cached(context.XgbFeature, context), context.Seed, planSize))
    {
    }

    private XgbTuner(TunerContext context, int planSize, XgbCostModel model)
        : base(context.Space, context.Seed, planSize, RefitCadence.EveryPlan, model, random => new SimulatedAnnealing(context.Space, random))
    {
        _context = context;
        _xgb = model;
    }

    public override string Name => "xgb";

    /// <summary>
    /// AutoTVM's <c>load_history</c>: a base model fitted on every record of the other tasks (at least
    /// <see cref="XgbCostModel.MinSeedRecords"/>), which plans the first batch when there is no plan yet and is then the
    /// discounted base margin of the task's own model.
    /// </summary>
    public override void Transfer(IReadOnlyList<TransferTask> tasks)
    {
        var records = tasks.SelectMany(t => t.Records.Select(r => (XgbFeatures.Of(_context.XgbFeature, _context, t.Workload, r.Configuration), r.Gflops))).ToList();
        if (_xgb.FitHistory(records) && Plan.Count == 0)
        {
            PlanFromModel();
        }
    }

    /// <summary>Knob features only: usable with <see cref="XgbFeatureKind.Knob"/>; program features need the records' workloads.</summary>
    public override void Transfer(IEnumerable<IReadOnlyList<(float[] Features, double Gflops)>> tasks)
    {
        if (_context.XgbFeature != XgbFeatureKind.Knob)
        {
            throw new InvalidOperationException("the xgb tuner on program features learns from other tasks' records with their workloads: call Transfer(TransferTask)");
        }

        if (_xgb.FitHistory([.. tasks.SelectMany(t => t)]) && Plan.Count == 0)
        {
            PlanFromModel();
        }
    }
}
