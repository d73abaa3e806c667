namespace HilTuner.Tuning.Tuners;

/// <summary>
/// Rieber et al.'s validity-driven initialization on the XGB baseline: the random part of the search (the first
/// plan and the ε-greedy picks) draws only configurations known or predicted to be valid, and the performance model
/// learns from valid measurements only instead of a 0-GFLOPS penalty for invalid ones.
/// </summary>
/// <remarks>
/// Valid configurations cluster in the knob grid (neighbours — one knob changed — of a valid configuration are
/// often valid), so half of the picks are unvisited neighbours of configurations measured valid, the other half
/// random configurations; either must compile and, when a validity model is at hand, be predicted valid. The
/// paper's exact sampling procedure was not available to us; this is our reading of "start from valid
/// configurations, exploiting their clustering".
/// </remarks>
public sealed class XgbVinitTuner(TunerContext context) : XgbTuner(context)
{
    private const int Attempts = 256;

    private readonly CompiledSpace _compiled = new(context);
    private readonly Models.OnlineValidity _validity = new(context.Priors.Validity, context.Seed);
    private readonly List<long> _valid = [];

    public override string Name => "xgb-vinit";

    public override void Update(IReadOnlyList<TrialOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            if (outcome.Succeeded)
            {
                _valid.Add(outcome.Configuration.Index);
            }

            if (_compiled.Row(outcome.Configuration.Index) is { } row)
            {
                _validity.Add(row, outcome.Status);
            }
        }

        _validity.Refit();
        base.Update(outcomes);
    }

    protected override bool Learns(TrialOutcome outcome) => outcome.Succeeded;

    protected override long ExplorationPick()
    {
        if (_valid.Count > 0 && Random.NextDouble() < 0.5 && Neighbour() is { } near)
        {
            return near;
        }

        for (var attempt = 0; attempt < Attempts && Visited.Count < Space.Size; attempt++)
        {
            var index = RandomUnvisited();
            if (PredictedValid(index))
            {
                return index;
            }
        }

        return RandomUnvisited();
    }

    /// <summary>An unvisited, predicted-valid configuration one knob away from a configuration measured valid.</summary>
    private long? Neighbour()
    {
        var origin = Space.Get(_valid[Random.Next(_valid.Count)]);
        var moves = new List<(int Knob, int Choice)>();
        for (var k = 0; k < Space.Knobs.Count; k++)
        {
            for (var c = 0; c < Space.Knobs[k].Count; c++)
            {
                if (c != origin.Choices[k])
                {
                    moves.Add((k, c));
                }
            }
        }

        foreach (var (knob, choice) in moves.OrderBy(_ => Random.Next()))
        {
            var choices = origin.Choices.ToArray();
            choices[knob] = choice;
            var index = Space.FromChoices(choices).Index;
            if (!Visited.Contains(index) && PredictedValid(index))
            {
                return index;
            }
        }

        return null;
    }

    private bool PredictedValid(long index)
    {
        if (_compiled.Row(index) is not { } row)
        {
            return false;
        }

        return !_validity.HasModel || _validity.Probabilities(row, 1)[0] < _validity.Threshold;
    }
}
