using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Tuning.Models;
using HilTuner.Tuning.ValidityTraining;
using MathNet.Numerics.Statistics;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// HilTuner's own tuner: look at every configuration through the compiler before measuring any.
/// <list type="number">
/// <item>Compile the whole space and put each program through VTA's runtime checks (cheap, exact, on the host): nothing
/// that fails to compile or that the runtime would refuse to launch is ever proposed.</item>
/// <item>ModelV (the prior validity model, then refit on the task's own outcomes) screens the compiled
/// configurations; those predicted to fail on the board are never proposed (the pipeline's gate, when there is one,
/// explores them).</item>
/// <item>ModelA ranks the rest by predicted time: the nominal board's timing estimate, corrected by trees learnt on other
/// layers' measurements (transfer, when given), and by the board's deviation from the estimate learnt online from the
/// task's measurements (a ridge regression on program features); <c>hiltuner-lann</c> ranks with LANN beside them
/// (<see cref="DeviationModel.Lann"/>). The board's timing reaches it only through what it measures.</item>
/// <item>Each batch is the fastest-predicted configurations, best first.</item>
/// </list>
/// </summary>
public sealed class ValidityFirstTuner : ModelBasedTuner
{
    /// <summary>Share of proposals drawn at random from the admissible configurations instead of the fastest predicted.</summary>
    public const double Exploration = 0.05;

    private readonly OnlineValidity _validity;
    private readonly CompiledSpace _compiled;
    private List<long> _admissible = [];
    private bool _stale = true;

    public ValidityFirstTuner(TunerContext context)
        : this(context, DeviationModel.Ridge)
    {
    }

    /// <summary>
    /// The tuner with another model of the board's deviation (<see cref="DeviationModel.Lann"/>: <c>hiltuner-lann</c>;
    /// <see cref="DeviationModel.None"/>: the nominal board's estimate alone ranks, for comparison).
    /// </summary>
    public ValidityFirstTuner(TunerContext context, DeviationModel deviation)
        : this(context, new CompiledSpace(context), new OnlineValidity(context.Priors.Validity, context.Seed), deviation)
    {
    }

    /// <summary>
    /// ModelA as the cost model, refit on every update; the optimizer ranks every admissible configuration, and the plan
    /// is made before each batch (what is admissible changes with every measurement ModelV learns from).
    /// </summary>
    private ValidityFirstTuner(TunerContext context, CompiledSpace compiled, OnlineValidity validity, DeviationModel deviation)
        : base(context.Space, context.Seed, int.MaxValue, new RefitCadence(RefitKind.EveryUpdate, PlanAtFit: false), new TimeCostModel(context, compiled, deviation), _ => new AdmissibleRanking(compiled, validity))
    {
        _compiled = compiled;
        _validity = validity;
        Name = deviation == DeviationModel.Lann ? LannName : "hiltuner";
    }

    /// <summary>The name of the tuner with <see cref="DeviationModel.Lann"/> (<c>--tuner hiltuner-lann</c>).</summary>
    public const string LannName = "hiltuner-lann";

    public override string Name { get; }

    /// <summary>
    /// Whether any configuration is worth measuring: compiled, not yet visited, and not predicted to fail on the board —
    /// or, when ModelV predicts every one left to fail, the ones it finds least likely to. The tuner stops when nothing
    /// compiled is left.
    /// </summary>
    public override bool HasNext
    {
        get
        {
            Fresh();
            return Plan.Any(i => !Visited.Contains(i));
        }
    }

    public override IReadOnlyList<Configuration> NextBatch(int count)
    {
        // Fastest predicted first; a small share of the picks goes to a random admissible configuration, so that a
        // performance model that is wrong about a region gets to see it.
        Fresh();
        var batch = base.NextBatch(count);
        _stale = true;
        return batch;
    }

    public override void Update(IReadOnlyList<TrialOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            if (_compiled.Row(outcome.Configuration.Index) is { } row)
            {
                _validity.Add(row, outcome.Status);
            }
        }

        _validity.Refit();
        base.Update(outcomes);
        _stale = true;
    }

    protected override bool Explores(int trialPointer) => Random.NextDouble() < Exploration;

    /// <summary>A uniformly random admissible configuration not yet taken.</summary>
    protected override long ExplorationPick()
    {
        long index;
        do
        {
            index = _admissible[Random.Next(_admissible.Count)];
        }
        while (Visited.Contains(index));
        return index;
    }

    /// <summary>Plans anew when a batch or an update made the plan stale: every admissible configuration, fastest predicted first.</summary>
    private void Fresh()
    {
        if (_stale)
        {
            Replan(int.MaxValue);
            _admissible = [.. Plan.Order()];
            _stale = false;
        }
    }

    /// <summary>
    /// ModelA for a board the tuner does not know: the timing model's estimate (of the nominal board), corrected by what
    /// the run's measurements say of the board, refit at every update; the score is minus the predicted log-seconds.
    /// With <see cref="DeviationModel.Ridge"/>: trees learnt on other layers' measurements when the run gives them
    /// (transfer), then the board's deviation learnt online from this task's measurements (<see cref="BoardDeviation"/>:
    /// a ridge regression of the log of measured over predicted time on program features, the estimate among them).
    /// With <see cref="DeviationModel.Lann"/>, a second ranker beside that one: LANN (<see cref="LannDeviation"/>) learns
    /// ln(measured / estimate) from the other layers' and this task's measurements at its own cadence, and its own
    /// ridge regression corrects what LANN leaves of this task's measurements. Each ranker is scored on every
    /// measurement of the task as it predicted it before learning from it (prequentially, so neither is judged on what
    /// it was trained on); the first ranks until both have predicted <see cref="Evidence"/>, then the one whose errors
    /// vary less (a constant error does not change a ranking). Without measurements it ranks by the estimate (and what
    /// transfer gave).
    /// </summary>
    private sealed class TimeCostModel : ICostModel
    {
        /// <summary>Measurements of the task each ranker must have predicted before the tuner may choose between them.</summary>
        private const int Evidence = 8;

        private readonly TunerContext _context;
        private readonly CompiledSpace _compiled;
        private readonly LannDeviation? _network;
        private readonly Dictionary<long, double> _networkPredictions = [];
        private readonly Ranker[] _rankers;
        private Ranker _chosen;
        private int _scored;

        public TimeCostModel(TunerContext context, CompiledSpace compiled, DeviationModel model)
        {
            _context = context;
            _compiled = compiled;
            var prior = context.Priors.Performance;
            var learns = model != DeviationModel.None;
            var trees = new Ranker(compiled, learns, (_, row) => PerformanceModel.LogEstimate(row) + (prior?.Correction(row) ?? 0));
            if (model == DeviationModel.Lann)
            {
                _network = new LannDeviation(context.Priors.Programs, context.Seed);
                _rankers = [trees, new Ranker(compiled, learns, NetworkBaseline)];
            }
            else
            {
                _rankers = [trees];
            }

            _chosen = _rankers[0];
        }

        public bool Fit(IReadOnlyList<TrialOutcome> observations)
        {
            var measured = new List<(long Index, float[] Row, double LogSeconds)>();
            foreach (var outcome in observations)
            {
                if (outcome.Succeeded && outcome.Gflops > 0 && _compiled.Row(outcome.Configuration.Index) is { } row)
                {
                    measured.Add((outcome.Configuration.Index, row, Math.Log(_context.Task.Workload.Operations / (outcome.Gflops * 1e9))));
                }
            }

            // Each ranker is judged on measurements it predicted before it learnt from them.
            foreach (var m in _rankers.Length > 1 ? measured.Skip(_scored) : [])
            {
                foreach (var ranker in _rankers)
                {
                    ranker.Errors.Add(m.LogSeconds - ranker.PredictLog(m.Index, m.Row));
                }
            }

            _scored = measured.Count;

            if (_network?.Fit([.. measured.Select(m => (m.Row, m.LogSeconds - PerformanceModel.LogEstimate(m.Row)))]) == true)
            {
                _networkPredictions.Clear();
            }

            foreach (var ranker in _rankers)
            {
                ranker.Fit(measured);
            }

            if (_rankers.Length > 1 && _rankers.All(r => r.Errors.Count >= Evidence))
            {
                _chosen = _rankers.MinBy(r => r.Errors.PopulationVariance())!;
            }

            return true;
        }

        public double Predict(long index) => -_chosen.PredictLog(index, _compiled.Row(index)!);

        /// <summary>The estimate with LANN's correction (none before its first fit).</summary>
        private double NetworkBaseline(long index, float[] row)
        {
            if (_network!.Fits == 0 && _network.Fit([]))
            {
                // The network from the earlier layers' measurements alone, before the task's first.
                _networkPredictions.Clear();
            }

            if (!_networkPredictions.TryGetValue(index, out var correction))
            {
                _networkPredictions[index] = correction = _network.Predict(row) ?? 0;
            }

            return PerformanceModel.LogEstimate(row) + correction;
        }
    }

    /// <summary>
    /// Predicted log-seconds: a baseline (the estimate with a correction learnt on other layers) and the board's deviation
    /// from it learnt on the task's measurements (<see cref="BoardDeviation"/>, when it learns).
    /// </summary>
    private sealed class Ranker(CompiledSpace compiled, bool learns, Func<long, float[], double> baseline)
    {
        private BoardDeviation? _deviation;

        /// <summary>Measured minus predicted log-seconds of the task's measurements, as predicted before each was measured.</summary>
        public List<double> Errors { get; } = [];

        public double PredictLog(long index, float[] row) => baseline(index, row) + (_deviation?.Predict(row) ?? 0);

        public void Fit(IReadOnlyList<(long Index, float[] Row, double LogSeconds)> measured)
        {
            if (!learns || measured.Count == 0)
            {
                return;
            }

            if (_deviation is null)
            {
                var all = compiled.CompileAll();
                _deviation = new BoardDeviation(compiled.Rows(all), all.Count);
            }

            _deviation.Fit([.. measured.Select(m => (m.Row, m.LogSeconds - baseline(m.Index, m.Row)))]);
        }
    }

    /// <summary>
    /// The optimizer over ModelA: every configuration that compiles, is not excluded and is not predicted by ModelV to
    /// fail, ranked by score (ties by index).
    /// </summary>
    private sealed class AdmissibleRanking(CompiledSpace compiled, OnlineValidity validity) : IModelOptimizer
    {
        private IReadOnlyList<long>? _compiledIndices;

        public IReadOnlyList<long> FindMaximums(Func<long, double> score, int num, IReadOnlySet<long> exclude)
        {
            // What compiles and what VTA's runtime would launch: its refusals (VerifyDep, the largest transfer) are
            // as exact and as cheap as compiling, so they are never sent to the board.
            _compiledIndices ??= [.. compiled.CompileAll().Where(i => !compiled.RuntimeRefuses(i))];
            var unvisited = _compiledIndices.Where(i => !exclude.Contains(i)).ToList();
            var failure = unvisited.Count == 0 ? [] : validity.Probabilities(compiled.Rows(unvisited), unvisited.Count);

            // A validity model that rules out every compiled configuration left (a prior learnt from a few records of
            // other layers can) is wrong about this task, not a reason to stop: then the configurations it finds least
            // likely to fail are admissible, until the task's own measurements correct it.
            var threshold = validity.Threshold;
            if (failure.Length > 0 && failure.Min() >= threshold)
            {
                threshold = Math.BitIncrement(failure.Min());
            }

            // Ordered by the predicted log-seconds (minus the score) so that equal predictions keep index order.
            return unvisited.Where((_, k) => failure[k] < threshold).OrderBy(i => -score(i)).ThenBy(i => i).Take(num).ToList();
        }
    }
}

/// <summary>What the <c>hiltuner</c> tuner learns of the board's deviation from the nominal timing estimate.</summary>
public enum DeviationModel
{
    /// <summary>Nothing: the nominal estimate (with the transfer trees) ranks alone; for comparison.</summary>
    None,

    /// <summary>Transfer trees on other layers' measurements, and a ridge regression on the task's own (<c>hiltuner</c>).</summary>
    Ridge,

    /// <summary>
    /// Beside <see cref="Ridge"/>, LANN on the run's measurements of other layers and of the task with a ridge regression
    /// on what it leaves; the one that predicted the task's measurements better ranks (<c>hiltuner-lann</c>).
    /// </summary>
    Lann,
}
