using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// AutoTVM's GATuner: a population of configurations (genes: one choice per knob); after each generation is
/// measured, the best few survive as elites, parents are drawn in proportion to their GFLOPS, single-point
/// crossover and per-knob mutation make the next generation, and genes already visited are mutated away.
/// </summary>
public sealed class GaTuner : TunerBase
{
    private readonly int _populationSize;
    private readonly int _eliteCount;
    private readonly double _mutationProbability;
    private readonly int[] _dims;
    private readonly List<double> _scores = [];
    private List<int[]> _genes = [];
    private List<int[]> _elites = [];
    private List<double> _eliteScores = [];
    private int _trialPointer;

    public GaTuner(ConfigSpace space, int seed, int populationSize = 100, int eliteCount = 3, double mutationProbability = 0.1)
        : base(space, seed)
    {
        _dims = space.Knobs.Select(k => k.Count).ToArray();
        _populationSize = (int)Math.Min(populationSize, space.Size);
        _eliteCount = Math.Min(_populationSize, eliteCount);
        _mutationProbability = mutationProbability;
        for (var i = 0; i < _populationSize; i++)
        {
            var gene = space.Get(Random.NextInt64(space.Size)).Choices.ToArray();
            while (Visited.Contains(Point(gene)))
            {
                gene = space.Get(Random.NextInt64(space.Size)).Choices.ToArray();
            }

            _genes.Add(gene);
            Visited.Add(Point(gene));
        }
    }

    public override string Name => "ga";

    public override bool HasNext => Visited.Count - (_genes.Count - _trialPointer) < Space.Size;

    public override IReadOnlyList<Configuration> NextBatch(int count)
    {
        var batch = new List<Configuration>(count);
        for (var i = 0; i < count && _genes.Count > 0 && _trialPointer < _genes.Count; i++)
        {
            batch.Add(Space.FromChoices(_genes[_trialPointer++]));
        }

        return batch;
    }

    public override void Update(IReadOnlyList<TrialOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Visited.Add(outcome.Configuration.Index);
            _scores.Add(outcome.Succeeded ? outcome.Gflops : 0);
        }

        if (_scores.Count < _genes.Count || Visited.Count >= Space.Size)
        {
            return;
        }

        var genes = _genes.Concat(_elites).ToList();
        var scores = _scores.Take(_genes.Count).Concat(_eliteScores).ToArray();

        // Reserve the elites.
        var ranked = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(_eliteCount).ToList();
        _elites = ranked.Select(i => genes[i]).ToList();
        _eliteScores = ranked.Select(i => scores[i]).ToList();

        // Crossover: two distinct parents drawn in proportion to their (normalised) scores.
        var max = scores.Max() + 1e-8;
        var weights = scores.Select(s => (s + 1e-8) / max).ToArray();
        var children = new List<int[]>(_populationSize);
        for (var i = 0; i < _populationSize; i++)
        {
            var first = Draw(weights, -1);
            var second = Draw(weights, first);
            var cut = Random.Next(_dims.Length);
            children.Add([.. genes[first].Take(cut), .. genes[second].Skip(cut)]);
        }

        // Mutation, then away from anything visited.
        var next = new List<int[]>(_populationSize);
        foreach (var child in children)
        {
            for (var j = 0; j < _dims.Length; j++)
            {
                if (Random.NextDouble() < _mutationProbability)
                {
                    child[j] = Random.Next(_dims[j]);
                }
            }

            if (Visited.Count >= Space.Size)
            {
                break;
            }

            while (Visited.Contains(Point(child)))
            {
                var j = Random.Next(_dims.Length);
                child[j] = Random.Next(_dims[j]);
            }

            next.Add(child);
            Visited.Add(Point(child));
        }

        _genes = next;
        _trialPointer = 0;
        _scores.Clear();
    }

    private long Point(int[] gene) => Space.FromChoices(gene).Index;

    /// <summary>An index drawn with probability proportional to its weight, excluding <paramref name="except"/>.</summary>
    private int Draw(double[] weights, int except)
    {
        var total = weights.Where((_, i) => i != except).Sum();
        var r = Random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            if (i == except)
            {
                continue;
            }

            r -= weights[i];
            if (r <= 0)
            {
                return i;
            }
        }

        return except == weights.Length - 1 ? weights.Length - 2 : weights.Length - 1;
    }
}
