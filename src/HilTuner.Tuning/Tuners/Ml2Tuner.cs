using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Tuning.Models;
using HilTuner.Tuning.ValidityTraining;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// ML²Tuner's loop with its three models. Each round ModelP — AutoTVM's ranking trees on knob features, explored by
/// simulated annealing, as a <see cref="ModelBasedTuner"/> — proposes (α + 1)·N candidates; they are compiled (which drops what does not compile and
/// yields the compile features); ModelV removes those predicted to fail on the board; ModelA — trees on the compile
/// features — ranks the rest, and the best N are measured. Before ModelP has a success to learn from, the proposals
/// are random.
/// </summary>
/// <remarks>
/// Our reading of the paper (its method section was not available to us beyond the abstract): ModelV and ModelA are
/// trained on this task's measurements only (a prior validity model is used when one is given, as for every
/// validity-aware tuner here); ModelP keeps AutoTVM's 0-GFLOPS penalty for failures; ModelA predicts the log of the
/// measured time over the timing model's estimate; until ModelA has three measurements, ModelP's order stands.
/// </remarks>
public sealed class Ml2Tuner : ModelBasedTuner
{
    private const int MaxRounds = 8;

    private readonly TunerContext _context;
    private readonly CompiledSpace _compiled;
    private readonly OnlineValidity _validity;
    private readonly List<(float[] Row, double Label)> _ran = [];
    private PerformanceModel? _modelA;
    private bool _exhausted;

    /// <summary>ModelP is AutoTVM's model-based tuner's model and optimizer; it refits every other round (16 outcomes at a batch of 8), once there is a success to rank against, and plans per round.</summary>
    public Ml2Tuner(TunerContext context)
        : base(context.Space, context.Seed, planSize: 16, new RefitCadence(RefitKind.Every, Outcomes: 16, PlanAtFit: false), new XgbCostModel(i => KnobFeatures.Of(context.Space.Get(i)), context.Seed, planSize: 16), random => new SimulatedAnnealing(context.Space, random))
    {
        _context = context;
        _compiled = new CompiledSpace(context);
        _validity = new OnlineValidity(context.Priors.Validity, context.Seed);
    }

    public override string Name => "ml2";

    public int Alpha => _context.Alpha;

    public override bool HasNext => !_exhausted && Visited.Count < Space.Size;

    public override IReadOnlyList<Configuration> NextBatch(int count)
    {
        var batch = new List<Configuration>(count);
        for (var round = 0; batch.Count < count && Visited.Count < Space.Size && round < MaxRounds; round++)
        {
            var want = count - batch.Count;
            var proposed = Trained && round < MaxRounds / 2
                ? Maximums((Alpha + 1) * want)
                : RandomCandidates((Alpha + 1) * want);

            // Compile: what does not compile is dropped for good (it can never be measured).
            var compiled = new List<long>();
            foreach (var index in proposed)
            {
                if (_compiled.Compiles(index))
                {
                    compiled.Add(index);
                }
                else
                {
                    Visited.Add(index);
                }
            }

            if (compiled.Count == 0)
            {
                continue;
            }

            // ModelV drops what it predicts to fail (for this round: ModelP may propose it again later); ModelA ranks the rest.
            var rows = _compiled.Rows(compiled);
            var failure = _validity.Probabilities(rows, compiled.Count);
            var width = ProgramFeatures.Count;
            var ranked = Enumerable.Range(0, compiled.Count)
                .Where(k => failure[k] < _validity.Threshold)
                .OrderBy(k => _modelA is { } a ? PerformanceModel.LogEstimate(rows.AsSpan(k * width, width)) + a.Correction(rows.AsSpan(k * width, width)) : k)
                .Select(k => compiled[k]);
            foreach (var index in ranked.Take(want))
            {
                batch.Add(Space.Get(index));
                Visited.Add(index);
            }
        }

        // Rounds without a candidate ModelV lets through: nothing worth measuring is left to find.
        _exhausted = batch.Count == 0;
        return batch;
    }

    public override void Update(IReadOnlyList<TrialOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            if (_compiled.Row(outcome.Configuration.Index) is not { } row)
            {
                continue;
            }

            _validity.Add(row, outcome.Status);
            if (outcome.Succeeded && outcome.Gflops > 0)
            {
                var seconds = _context.Task.Workload.Operations / (outcome.Gflops * 1e9);
                _ran.Add((row, Math.Log(seconds) - PerformanceModel.LogEstimate(row)));
            }
        }

        _validity.Refit();
        if (_ran.Count >= 3)
        {
            _modelA = PerformanceModel.Fit(_ran.Select(r => r.Row).ToList(), _ran.Select(r => r.Label).ToList(), null, _context.Seed, trees: 50, leaves: 8, learningRate: 0.2);
        }

        // ModelP: the model-based tuner's observations and refit.
        base.Update(outcomes);
    }

    private List<long> RandomCandidates(int count)
    {
        var result = new List<long>(count);
        var seen = new HashSet<long>();
        while (result.Count < count && Visited.Count + seen.Count < Space.Size)
        {
            var index = RandomUnvisited();
            if (seen.Add(index))
            {
                result.Add(index);
            }
        }

        return result;
    }
}
