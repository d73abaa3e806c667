using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// AutoTVM's simulated-annealing model optimiser: <see cref="Chains"/> persistent points random-walk the space
/// (one knob changed per step), accepting a move with probability exp(min((new − old) / (t + 1e-5), 1)) as the
/// temperature cools linearly from 1 to 0; the best <c>num</c> unvisited points seen are kept, and of those only the
/// ones scored ≥ 0 are returned, as AutoTVM's <c>sa_model_optimizer</c> returns them (with a ranking model, about
/// half of them: the plan is then shorter and the model-based tuner's random picks fill the rest).
/// </summary>
internal sealed class SimulatedAnnealing(ConfigSpace space, Random random, int chains = 128, int steps = 500, int earlyStop = 50) : IModelOptimizer
{
    private readonly int[] _dims = space.Knobs.Select(k => k.Count).ToArray();
    private long[]? _points;

    public int Chains { get; } = (int)Math.Min(chains, space.Size);

    /// <summary>The highest-scoring configurations not in <paramref name="exclude"/> with a score ≥ 0, best first.</summary>
    public IReadOnlyList<long> FindMaximums(Func<long, double> model, int num, IReadOnlySet<long> exclude)
    {
        // The annealer works in single precision, as the ranking trees score.
        float Score(long p) => (float)model(p);
        var points = _points ?? Enumerable.Range(0, Chains).Select(_ => random.NextInt64(space.Size)).ToArray();
        var scores = points.Select(Score).ToArray();

        // The best num points, kept as (score, index); unfilled slots hold −∞ placeholders.
        var best = new PriorityQueue<long, float>();
        var inHeap = new HashSet<long>();
        for (var i = 0; i < num; i++)
        {
            best.Enqueue(-1 - i, float.NegativeInfinity);
            inHeap.Add(-1 - i);
        }

        void Offer(float s, long p)
        {
            best.TryPeek(out var worst, out var worstScore);
            if (s > worstScore && !inHeap.Contains(p) && !exclude.Contains(p))
            {
                best.DequeueEnqueue(p, s);
                inHeap.Remove(worst);
                inHeap.Add(p);
            }
        }

        for (var i = 0; i < points.Length; i++)
        {
            Offer(scores[i], points[i]);
        }

        var temperature = 1.0;
        var cool = 1.0 / (steps + 1);
        var lastImproved = 0;
        for (var k = 0; k < steps && k < lastImproved + earlyStop; k++)
        {
            for (var i = 0; i < points.Length; i++)
            {
                var next = RandomWalk(points[i]);
                var nextScore = Score(next);
                var accept = Math.Exp(Math.Min((nextScore - scores[i]) / (temperature + 1e-5), 1));
                best.TryPeek(out _, out var worstBefore);
                if (nextScore > worstBefore && !inHeap.Contains(next) && !exclude.Contains(next))
                {
                    lastImproved = k;
                }

                Offer(nextScore, next);
                if (random.NextDouble() < accept)
                {
                    points[i] = next;
                    scores[i] = nextScore;
                }
            }

            temperature -= cool;
        }

        _points = points;
        var result = new List<(long Point, float Score)>();
        while (best.TryDequeue(out var p, out var s))
        {
            if (s >= 0)
            {
                result.Add((p, s));
            }
        }

        return result.OrderByDescending(r => r.Score).ThenBy(r => r.Point).Select(r => r.Point).ToList();
    }

    /// <summary>The point with one random knob changed to another of its choices.</summary>
    private long RandomWalk(long point)
    {
        var choices = space.Get(point).Choices.ToArray();
        var original = (int[])choices.Clone();
        while (choices.AsSpan().SequenceEqual(original))
        {
            var knob = random.Next(_dims.Length);
            choices[knob] = random.Next(_dims[knob]);
        }

        return space.FromChoices(choices).Index;
    }
}
