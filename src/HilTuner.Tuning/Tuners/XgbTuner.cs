using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// The AutoTVM baseline (XGBTuner, a model-based tuner): random configurations until <see cref="PlanSize"/>
/// outcomes include a success; then, every <see cref="PlanSize"/> outcomes, refit the ranking model on all of
/// them (failures with AutoTVM's penalty label 0) and plan the next batch by simulated annealing over the
/// model, the last 5 % of each plan being random (ε-greedy). Nothing is proposed twice.
/// </summary>
/// <remarks>
/// Differences from AutoTVM, and why:
/// <list type="bullet">
/// <item>The model is ML.NET's FastTree with a LambdaRank objective instead of XGBoost's <c>rank:pairwise</c>
/// (see <see cref="RankingCostModel"/>). The ranking loss is AutoTVM's default until 2023 (since then TVM's
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
public class XgbTuner : TunerBase
{
    private readonly RankingCostModel _model;
    private readonly SimulatedAnnealing _annealing;
    private readonly List<float[]> _xs = [];
    private readonly List<double> _ys = [];
    private readonly List<float[]> _priorXs = [];
    private readonly List<double> _priorYs = [];
    private readonly List<int> _priorGroups = [];
    private List<long> _trials = [];
    private int _trialPointer;
    private int _trainCount;
    private int _outcomes;
    private double _bestGflops;
    private float[]? _scores;

    public XgbTuner(ConfigSpace space, int seed, int planSize = 64)
        : base(space, seed)
    {
        PlanSize = planSize;
        _model = new RankingCostModel(seed);
        _annealing = new SimulatedAnnealing(space, Random);
    }

    public override string Name => "xgb";

    /// <summary>Configurations planned per model fit (AutoTVM's <c>plan_size</c>).</summary>
    public int PlanSize { get; }

    /// <summary>
    /// Adds records of other tasks (or earlier runs) as training data, one ranking group per task; each task's
    /// GFLOPS are normalised by its own best. Plans the first batch from the model when there is any success.
    /// </summary>
    public void Transfer(IEnumerable<IReadOnlyList<(float[] Features, double Gflops)>> tasks)
    {
        var group = 1;
        foreach (var task in tasks)
        {
            var best = task.Count == 0 ? 0 : task.Max(t => t.Gflops);
            if (best <= 1e-6)
            {
                continue;
            }

            foreach (var (features, gflops) in task)
            {
                _priorXs.Add(features);
                _priorYs.Add(gflops / best);
                _priorGroups.Add(group);
            }

            group++;
        }

        if (_priorXs.Count > 0)
        {
            Refit();
        }
    }

    public override IReadOnlyList<Configuration> NextBatch(int count)
    {
        var batch = new List<Configuration>(count);
        while (batch.Count < count && Visited.Count < Space.Size)
        {
            while (_trialPointer < _trials.Count && Visited.Contains(_trials[_trialPointer]))
            {
                _trialPointer++;
            }

            // An empty plan, or its last 5 %: a random configuration (ε-greedy).
            long index;
            if (_trialPointer >= _trials.Count - (int)(0.05 * PlanSize))
            {
                index = ExplorationPick();
            }
            else
            {
                index = _trials[_trialPointer];
            }

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
            if (!Learns(outcome))
            {
                continue;
            }

            _xs.Add(KnobFeatures.Of(outcome.Configuration));
            var gflops = outcome.Succeeded ? outcome.Gflops : 0;
            _ys.Add(gflops);
            _bestGflops = Math.Max(_bestGflops, gflops);
        }

        if (_outcomes >= PlanSize * (_trainCount + 1) && _bestGflops > 1e-6)
        {
            Refit();
            _trainCount++;
        }
    }

    /// <summary>A configuration for the random part of the search (before the first plan, and ε-greedy): uniformly random here.</summary>
    protected virtual long ExplorationPick() => RandomUnvisited();

    /// <summary>Whether an outcome becomes a training row; AutoTVM's baseline learns from every one (failures as 0 GFLOPS).</summary>
    protected virtual bool Learns(TrialOutcome outcome) => true;

    private void Refit()
    {
        var xs = new List<float[]>(_priorXs);
        var ys = new List<double>(_priorYs);
        var groups = new List<int>(_priorGroups);
        for (var i = 0; i < _xs.Count; i++)
        {
            xs.Add(_xs[i]);
            ys.Add(_bestGflops > 0 ? _ys[i] / _bestGflops : 0);
            groups.Add(0);
        }

        if (ys.All(y => y <= 1e-6))
        {
            return;
        }

        _model.Fit(xs, ys, groups);
        _scores = null;
        _trials = _annealing.FindMaximums(Score, PlanSize, Visited);
        _trialPointer = 0;
    }

    /// <summary>The model's score of a configuration (memoised: the model is fixed while annealing).</summary>
    private float Score(long index)
    {
        if (Space.Size <= 1 << 22)
        {
            _scores ??= Enumerable.Repeat(float.NaN, (int)Space.Size).ToArray();
            var cached = _scores[index];
            if (!float.IsNaN(cached))
            {
                return cached;
            }

            return _scores[index] = _model.Predict(KnobFeatures.Of(Space.Get(index)));
        }

        return _model.Predict(KnobFeatures.Of(Space.Get(index)));
    }
}
