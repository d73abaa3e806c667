using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// AutoTVM's model-based tuner (<c>model_based_tuner.py</c>): it keeps the outcomes it learns from, refits its
/// <see cref="ICostModel"/> at its <see cref="RefitCadence"/>, asks its <see cref="IModelOptimizer"/> for a plan of
/// the best-scoring unvisited configurations, and proposes the plan in order, ε-greedy: the last 5 % of each plan
/// (and every pick before the first plan) is a random configuration. The scores of a fitted model are memoised.
/// </summary>
/// <remarks>
/// Tuners built on it change what AutoTVM leaves open: which outcomes become observations (<see cref="Learns"/>), what
/// a random pick draws (<see cref="ExplorationPick"/>), when a pick is random (<see cref="Explores"/>), and when the
/// plan is made (at each fit, as AutoTVM does, or before each batch).
/// </remarks>
public abstract class ModelBasedTuner : TunerBase
{
    private readonly List<TrialOutcome> _observations = [];
    private readonly RefitCadence _cadence;
    private double[]? _scores;
    private List<long> _trials = [];
    private int _trialPointer;
    private int _outcomes;
    private int _trainCount;
    private int _fittedOn;
    private double _bestGflops;

    protected ModelBasedTuner(ConfigSpace space, int seed, int planSize, RefitCadence cadence, ICostModel model, Func<Random, IModelOptimizer> optimizer)
        : base(space, seed)
    {
        PlanSize = planSize;
        _cadence = cadence;
        Model = model;
        Optimizer = optimizer(Random);
    }

    /// <summary>Configurations planned per model fit (AutoTVM's <c>plan_size</c>).</summary>
    public int PlanSize { get; }

    protected ICostModel Model { get; }

    protected IModelOptimizer Optimizer { get; }

    /// <summary>True once the cost model has been fitted.</summary>
    protected bool Trained { get; private set; }

    /// <summary>The current plan, best first (visited entries included until the next plan).</summary>
    protected IReadOnlyList<long> Plan => _trials;

    public override IReadOnlyList<Configuration> NextBatch(int count)
    {
        var batch = new List<Configuration>(count);
        while (batch.Count < count && HasNext)
        {
            while (_trialPointer < _trials.Count && Visited.Contains(_trials[_trialPointer]))
            {
                _trialPointer++;
            }

            var index = Explores(_trialPointer) ? ExplorationPick() : _trials[_trialPointer];
            batch.Add(Space.Get(index));
            Visited.Add(index);
        }

        return batch;
    }

    public override void Update(IReadOnlyList<TrialOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            _outcomes++;
            Visited.Add(outcome.Configuration.Index);
            if (Learns(outcome))
            {
                _observations.Add(outcome);
                _bestGflops = Math.Max(_bestGflops, outcome.Succeeded ? outcome.Gflops : 0);
            }
        }

        var due = _cadence.Kind switch
        {
            RefitKind.EveryPlan => _outcomes >= PlanSize * (_trainCount + 1) && _bestGflops > 1e-6,
            RefitKind.Every => _outcomes - _fittedOn >= _cadence.Outcomes && _bestGflops > 1e-6,
            _ => true,
        };
        if (due)
        {
            Refit();
            _trainCount++;
            _fittedOn = _outcomes;
        }
    }

    /// <summary>Fits the model on every observation and, when it learnt something, plans (if the tuner plans at fits).</summary>
    protected void Refit()
    {
        if (!Model.Fit(_observations))
        {
            return;
        }

        Trained = true;
        _scores = null;
        if (_cadence.PlanAtFit)
        {
            Replan(PlanSize);
        }
    }

    /// <summary>Plans from the model as it is (fitted outside <see cref="Refit"/>, e.g. on transferred records) without counting a fit.</summary>
    protected void PlanFromModel()
    {
        _scores = null;
        Replan(PlanSize);
    }

    /// <summary>Replaces the plan with the optimizer's best <paramref name="size"/> unvisited configurations.</summary>
    protected void Replan(int size)
    {
        _trials = [.. Maximums(size)];
        _trialPointer = 0;
    }

    /// <summary>The optimizer's best <paramref name="num"/> unvisited configurations under the current model.</summary>
    protected IReadOnlyList<long> Maximums(int num) => Optimizer.FindMaximums(Score, num, Visited);

    /// <summary>Whether the pick at plan position <paramref name="trialPointer"/> is random: AutoTVM's rule, the last 5 % of the plan.</summary>
    protected virtual bool Explores(int trialPointer) => trialPointer >= _trials.Count - (int)(0.05 * PlanSize);

    /// <summary>A configuration for the random part of the search (before the first plan, and ε-greedy): uniformly random here.</summary>
    protected virtual long ExplorationPick() => RandomUnvisited();

    /// <summary>Whether an outcome becomes an observation; AutoTVM's learns from every one (failures as 0 GFLOPS).</summary>
    protected virtual bool Learns(TrialOutcome outcome) => true;

    /// <summary>The model's score of a configuration (memoised: the model is fixed between fits).</summary>
    private double Score(long index)
    {
        if (Space.Size > 1 << 22)
        {
            return Model.Predict(index);
        }

        _scores ??= Enumerable.Repeat(double.NaN, (int)Space.Size).ToArray();
        var cached = _scores[index];
        return double.IsNaN(cached) ? _scores[index] = Model.Predict(index) : cached;
    }
}

/// <summary>When a model-based tuner refits its cost model, and whether it plans then.</summary>
public enum RefitKind
{
    /// <summary>AutoTVM's: at every <c>plan_size</c> outcomes (64, 128, …), once one of them succeeded; plans at each fit.</summary>
    EveryPlan,

    /// <summary>After every <see cref="RefitCadence.Outcomes"/> outcomes since the last fit, once one succeeded.</summary>
    Every,

    /// <summary>After every update, whatever it held.</summary>
    EveryUpdate,
}

/// <summary>A model-based tuner's refit cadence; <see cref="PlanAtFit"/> when each fit makes the next plan (AutoTVM).</summary>
public sealed record RefitCadence(RefitKind Kind, int Outcomes = 0, bool PlanAtFit = true)
{
    public static RefitCadence EveryPlan { get; } = new(RefitKind.EveryPlan);
}
