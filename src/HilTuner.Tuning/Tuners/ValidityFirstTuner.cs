using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Tuning.Models;
using HilTuner.Tuning.Validity;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// HilTuner's own tuner: look at every configuration through the compiler before measuring any.
/// <list type="number">
/// <item>Compile the whole space (cheap, exact): nothing that fails to compile is ever proposed.</item>
/// <item>ModelV (the prior validity model, then refit on the task's own outcomes) screens the compiled
/// configurations; those predicted to fail on the board are never proposed (the pipeline's gate, when there is one,
/// explores them).</item>
/// <item>ModelA ranks the rest by predicted time: the timing model's estimate, corrected by trees learnt on other
/// layers' measurements (transfer), corrected again by trees refit on this task's measurements.</item>
/// <item>Each batch is the fastest-predicted configurations, best first.</item>
/// </list>
/// </summary>
public sealed class ValidityFirstTuner : TunerBase
{
    /// <summary>Share of proposals drawn at random from the admissible configurations instead of the fastest predicted.</summary>
    public const double Exploration = 0.05;

    private readonly TunerContext _context;
    private readonly CompiledSpace _compiled;
    private readonly OnlineValidity _validity;
    private readonly PerformanceModel? _prior;
    private readonly List<(float[] Row, double Residual)> _measured = [];
    private PerformanceModel? _online;
    private IReadOnlyList<long>? _compiledIndices;
    private List<long>? _admissible;

    public ValidityFirstTuner(TunerContext context)
        : base(context.Space, context.Seed)
    {
        _context = context;
        _compiled = new CompiledSpace(context);
        _validity = new OnlineValidity(context.Priors.Validity, context.Seed);
        _prior = context.Priors.Performance;
    }

    public override string Name => "hiltuner";

    public override bool HasNext => Admissible().Count > 0;

    public override IReadOnlyList<Configuration> NextBatch(int count)
    {
        var admissible = Admissible();
        var width = ProgramFeatures.Count;
        var rows = _compiled.Rows(admissible);
        var predicted = new double[admissible.Count];
        for (var k = 0; k < admissible.Count; k++)
        {
            predicted[k] = PredictLogSeconds(rows.AsSpan(k * width, width));
        }

        // Fastest predicted first; a small share of the picks goes to a random admissible configuration, so that a
        // performance model that is wrong about a region gets to see it.
        var order = Enumerable.Range(0, admissible.Count).OrderBy(k => predicted[k]).ThenBy(k => admissible[k]).ToList();
        var batch = new List<Configuration>(count);
        var taken = new HashSet<int>();
        var next = 0;
        while (batch.Count < Math.Min(count, admissible.Count))
        {
            int pick;
            if (Random.NextDouble() < Exploration)
            {
                do
                {
                    pick = Random.Next(admissible.Count);
                }
                while (taken.Contains(pick));
            }
            else
            {
                while (taken.Contains(order[next]))
                {
                    next++;
                }

                pick = order[next];
            }

            taken.Add(pick);
            batch.Add(Space.Get(admissible[pick]));
            Visited.Add(admissible[pick]);
        }

        _admissible = null;
        return batch;
    }

    public override void Update(IReadOnlyList<TrialOutcome> outcomes)
    {
        base.Update(outcomes);
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
                _measured.Add((row, Math.Log(seconds) - PredictLogSeconds(row, withOnline: false)));
            }
        }

        _admissible = null;
        _validity.Refit();
        // With a transfer model the task's own measurements only nudge it; without one they are all there is.
        var (minimum, trees, leaves, rate) = _prior is null ? (3, 50, 8, 0.2) : (8, 20, 4, 0.1);
        if (_measured.Count >= minimum)
        {
            _online = PerformanceModel.Fit(_measured.Select(m => m.Row).ToList(), _measured.Select(m => m.Residual).ToList(), null, _context.Seed, trees, leaves, rate);
        }
    }

    private double PredictLogSeconds(ReadOnlySpan<float> row, bool withOnline = true) =>
        PerformanceModel.LogEstimate(row) + (_prior?.Correction(row) ?? 0) + (withOnline && _online is { } o ? o.Correction(row) : 0);

    /// <summary>
    /// The configurations worth measuring: compiled, not yet visited, and not predicted to fail on the board. When
    /// none is left the tuner stops: what remains either does not compile or would, by ModelV, fail on the board.
    /// </summary>
    private List<long> Admissible()
    {
        if (_admissible is not null)
        {
            return _admissible;
        }

        _compiledIndices ??= _compiled.CompileAll();
        var unvisited = _compiledIndices.Where(i => !Visited.Contains(i)).ToList();
        var failure = unvisited.Count == 0 ? [] : _validity.Probabilities(_compiled.Rows(unvisited), unvisited.Count);
        _admissible = unvisited.Where((_, k) => failure[k] < _validity.Threshold).ToList();
        return _admissible;
    }
}
