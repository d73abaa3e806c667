using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Tuning.Models;
using HilTuner.Tuning.ValidityTraining;

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
/// task's measurements (a ridge regression on program features). The board's timing reaches it only through what it
/// measures.</item>
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
        : this(context, learnsDeviation: true)
    {
    }

    /// <summary>With <paramref name="learnsDeviation"/> false, the nominal board's estimate alone ranks (for comparison).</summary>
    internal ValidityFirstTuner(TunerContext context, bool learnsDeviation)
        : this(context, new CompiledSpace(context), new OnlineValidity(context.Priors.Validity, context.Seed), learnsDeviation)
    {
    }

    /// <summary>
    /// ModelA as the cost model, refit on every update; the optimizer ranks every admissible configuration, and the plan
    /// is made before each batch (what is admissible changes with every measurement ModelV learns from).
    /// </summary>
    private ValidityFirstTuner(TunerContext context, CompiledSpace compiled, OnlineValidity validity, bool learnsDeviation)
        : base(context.Space, context.Seed, int.MaxValue, new RefitCadence(RefitKind.EveryUpdate, PlanAtFit: false), new TimeCostModel(context, compiled, learnsDeviation), _ => new AdmissibleRanking(compiled, validity))
    {
        _compiled = compiled;
        _validity = validity;
    }

    public override string Name => "hiltuner";

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
    /// ModelA for a board the tuner does not know: the timing model's estimate (of the nominal board), corrected by trees
    /// learnt on other layers' measurements when the run gives them (transfer), and by the board's deviation learnt
    /// online from this task's measurements (<see cref="BoardDeviation"/>: a ridge regression of the log of measured
    /// over predicted time on program features, the estimate among them), refit at every update; the score is minus the
    /// predicted log-seconds. Without measurements it ranks by the estimate (and the transfer trees).
    /// </summary>
    private sealed class TimeCostModel(TunerContext context, CompiledSpace compiled, bool learnsDeviation) : ICostModel
    {
        private readonly PerformanceModel? _prior = context.Priors.Performance;
        private BoardDeviation? _deviation;

        public bool Fit(IReadOnlyList<TrialOutcome> observations)
        {
            var measured = new List<(float[] Row, double Deviation)>();
            foreach (var outcome in observations)
            {
                if (outcome.Succeeded && outcome.Gflops > 0 && compiled.Row(outcome.Configuration.Index) is { } row)
                {
                    var seconds = context.Task.Workload.Operations / (outcome.Gflops * 1e9);
                    measured.Add((row, Math.Log(seconds) - Baseline(row)));
                }
            }

            if (learnsDeviation && measured.Count > 0)
            {
                if (_deviation is null)
                {
                    var all = compiled.CompileAll();
                    _deviation = new BoardDeviation(compiled.Rows(all), all.Count);
                }

                _deviation.Fit(measured);
            }

            return true;
        }

        public double Predict(long index)
        {
            var row = compiled.Row(index)!;
            return -(Baseline(row) + (_deviation?.Predict(row) ?? 0));
        }

        /// <summary>The log-seconds before this task's measurements: the estimate, with the transfer trees' correction.</summary>
        private double Baseline(ReadOnlySpan<float> row) => PerformanceModel.LogEstimate(row) + (_prior?.Correction(row) ?? 0);
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
