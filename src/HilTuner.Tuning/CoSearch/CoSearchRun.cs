using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.CoSearch;

/// <summary>How the search runs and what it must satisfy (one of the two constraints).</summary>
public sealed record CoSearchOptions
{
    /// <summary>Keep candidates at or under this latency (ms), the most accurate first.</summary>
    public double? LatencyBudgetMs { get; init; }

    /// <summary>Keep candidates whose accuracy objective reaches this, the fastest first.</summary>
    public double? AccuracyMin { get; init; }

    /// <summary>The weight λ of the generalization gap in the objective top-1 − λ·max(0, train − top-1).</summary>
    public double GapWeight { get; init; } = 1;

    public int Population { get; init; } = 12;
    public int Generations { get; init; } = 6;

    /// <summary>The probability that a child's gene (a stage's depth, width, kernel, stride; the bitstream) is redrawn.</summary>
    public double MutationRate { get; init; } = 0.25;

    public int Seed { get; init; }
}

/// <summary>A candidate measured: its network, its bitstream (board), its layers and what they cost.</summary>
public sealed record Evaluated(Architecture Architecture, Board Board, IReadOnlyList<Workload> Layers, Accuracy Accuracy, double? LatencySeconds, double? DefaultSeconds)
{
    public double? LatencyMs => LatencySeconds * 1e3;
    public double? DefaultMs => DefaultSeconds * 1e3;
}

/// <summary>What one search found: every candidate it evaluated, and the one it chose.</summary>
public sealed record SearchOutcome(IReadOnlyList<Evaluated> Archive, Evaluated? Chosen);

/// <summary>Called after each generation: (search name, generation, generations, candidates evaluated, best so far).</summary>
public delegate void GenerationReport(string search, int generation, int generations, int evaluated, Evaluated? best);

/// <summary>
/// Architecture × bitstream × schedule co-search (after CHaNAS): an evolutionary search over the family's candidates
/// and the given VTA configurations, each candidate's latency the sum of its layers' tuned times from the schedule
/// library (block pre-scheduling), its accuracy from outside. The same search, seed and steps run a second time
/// ranking candidates by their latency under default schedules — architecture-only search, as hardware-aware NAS does
/// it — and the two are compared.
/// </summary>
public sealed class CoSearchRun(ArchitectureSpace space, IReadOnlyList<Board> boards, IAccuracySource accuracy, ScheduleLibrary library, CoSearchOptions options)
{
    private readonly Dictionary<string, Accuracy> _accuracies = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), Evaluated?> _evaluated = [];

    /// <summary>Accuracies known from an earlier run (its cache), so that a resumed run does not ask again.</summary>
    public void Remember(string encoding, Accuracy a) => _accuracies[encoding] = a;

    /// <summary>Told of every accuracy newly obtained (to cache it).</summary>
    public Action<string, Accuracy>? Learned { get; init; }

    public GenerationReport? Report { get; init; }

    /// <summary>The candidate on board <paramref name="b"/>: null when its layers cannot be packed for that configuration.</summary>
    public Evaluated? Evaluate(Architecture a, int b)
    {
        if (_evaluated.TryGetValue((a.Encoding, b), out var done))
        {
            return done;
        }

        var board = boards[b];
        Evaluated? result = null;
        if (space.Problem(a, board.Vta) is null)
        {
            var layers = space.Layers(a, board.Vta);
            double? tuned = 0, fallback = 0;
            foreach (var layer in layers)
            {
                var times = library.Ensure(board, layer);
                tuned += times.BestSeconds;
                fallback += times.DefaultSeconds;
            }

            if (!_accuracies.TryGetValue(a.Encoding, out var acc))
            {
                acc = accuracy.Of(a, a.ToJson(space.Name).ToJsonString());
                _accuracies[a.Encoding] = acc;
                Learned?.Invoke(a.Encoding, acc);
            }

            result = new Evaluated(a, board, layers, acc, tuned, fallback);
        }

        _evaluated[(a.Encoding, b)] = result;
        return result;
    }

    /// <summary>How good a candidate is under the constraint, compared tier first (null latency: cannot run).</summary>
    private (int Tier, double Value) Key(Evaluated e, Func<Evaluated, double?> latencyMs)
    {
        if (latencyMs(e) is not { } ms)
        {
            return (-1, 0);
        }

        var score = e.Accuracy.Score(options.GapWeight);
        return options.LatencyBudgetMs is { } budget
            ? ms <= budget ? (1, score) : (0, -ms)
            : score >= (options.AccuracyMin ?? 0) ? (1, -ms) : (0, score);
    }

    private IOrderedEnumerable<Evaluated> Ranked(IEnumerable<Evaluated> es, Func<Evaluated, double?> latencyMs) =>
        es.OrderByDescending(e => Key(e, latencyMs).Tier).ThenByDescending(e => Key(e, latencyMs).Value).ThenBy(e => e.Architecture.Encoding, StringComparer.Ordinal).ThenBy(e => e.Board.Name, StringComparer.Ordinal);

    /// <summary>The evolutionary search ranking candidates by <paramref name="latencyMs"/>: OFA's EvolutionFinder shape (the parents are the best quarter, kept; half the children mutated from one parent, half crossed from two).</summary>
    public SearchOutcome Search(string name, Func<Evaluated, double?> latencyMs)
    {
        var random = new Random(options.Seed);
        var archive = new Dictionary<(string, string), Evaluated>();
        // The first generation takes the bitstreams in turn (the next after ten draws it cannot pack), so that each is tried.
        var population = new List<(Architecture A, int B)>();
        for (var tries = 0; population.Count < options.Population && tries < 50 * options.Population; tries++)
        {
            var c = (space.Sample(random), (population.Count + (tries / 10)) % boards.Count);
            if (!population.Contains(c) && space.Problem(c.Item1, boards[c.Item2].Vta) is null)
            {
                population.Add(c);
            }
        }

        Evaluated? best = null;
        for (var g = 1; g <= options.Generations && population.Count > 0; g++)
        {
            var scored = new List<Evaluated>();
            foreach (var (a, b) in population)
            {
                if (Evaluate(a, b) is { } e)
                {
                    scored.Add(e);
                    archive[(a.Encoding, e.Board.Name)] = e;
                }
            }

            best = Ranked(archive.Values, latencyMs).FirstOrDefault();
            Report?.Invoke(name, g, options.Generations, archive.Count, best);
            var parents = Ranked(scored, latencyMs).Take(Math.Max(2, options.Population / 4)).Select(e => (e.Architecture, boards.ToList().IndexOf(e.Board))).ToList();
            var next = new List<(Architecture, int)>(parents);
            for (var tries = 0; next.Count < options.Population && tries < 50 * options.Population && parents.Count > 0; tries++)
            {
                var p = parents[random.Next(parents.Count)];
                (Architecture, int) child = next.Count % 2 == 0
                    ? (space.Mutate(p.Item1, random, options.MutationRate), random.NextDouble() < options.MutationRate ? random.Next(boards.Count) : p.Item2)
                    : (ArchitectureSpace.Crossover(p.Item1, parents[random.Next(parents.Count)].Item1, random), p.Item2);
                if (!next.Contains(child) && space.Problem(child.Item1, boards[child.Item2].Vta) is null)
                {
                    next.Add(child);
                }
            }

            population = next;
        }

        return new SearchOutcome([.. archive.Values], best is not null && Key(best, latencyMs).Tier == 1 ? best : null);
    }

    /// <summary>Both searches and their comparison.</summary>
    public CoSearchResult Run()
    {
        var co = Search("co-search", e => e.LatencyMs);
        var baseline = Search("default schedules", e => e.DefaultMs);
        return CoSearchResult.Of(co, baseline, options.GapWeight);
    }
}

/// <summary>The comparison written to <c>front.json</c>.</summary>
public sealed record CoSearchResult(
    IReadOnlyList<Evaluated> Front, IReadOnlyList<Evaluated> DefaultFront, int DominatedDefaultPoints,
    Evaluated? Chosen, Evaluated? BaselineChosen, Evaluated? Match, double? Gain, double? GainOverDefaultSchedules, int Evaluated)
{
    /// <summary>
    /// The Pareto front of <paramref name="points"/> (lower latency, higher <paramref name="accuracy"/>), fastest first.
    /// </summary>
    public static List<Evaluated> Pareto(IEnumerable<Evaluated> points, Func<Evaluated, double?> latency, Func<Evaluated, double> accuracy) =>
        [.. points.Where(p => latency(p) is not null)
            .GroupBy(p => (latency(p)!.Value, accuracy(p))).Select(g => g.First())
            .Where(p => !points.Any(q => Dominates(q, p, latency, accuracy)))
            .OrderBy(p => latency(p))];

    /// <summary>Whether <paramref name="q"/> is at least as fast and as accurate as <paramref name="p"/>, and better in one.</summary>
    private static bool Dominates(Evaluated q, Evaluated p, Func<Evaluated, double?> latency, Func<Evaluated, double> accuracy) =>
        latency(q) is { } lq && latency(p) is { } lp && lq <= lp && accuracy(q) >= accuracy(p) && (lq < lp || accuracy(q) > accuracy(p));

    /// <summary>
    /// The comparison, on the search's accuracy objective (top-1 less the weighted generalization gap; top-1 itself when
    /// no train accuracy is known), so that "equal accuracy" means what the constraint means.
    /// </summary>
    public static CoSearchResult Of(SearchOutcome co, SearchOutcome baseline, double gapWeight)
    {
        double Objective(Evaluated e) => e.Accuracy.Score(gapWeight);
        var all = co.Archive.Concat(baseline.Archive).DistinctBy(e => (e.Architecture.Encoding, e.Board.Name)).ToList();
        var front = Pareto(all, e => e.LatencySeconds, Objective);
        var defaultFront = Pareto(all, e => e.DefaultSeconds, Objective);

        // A default-schedule Pareto point is dominated once schedules are tuned when another candidate, tuned, is at
        // least as fast and as accurate, and better in one.
        var dominated = defaultFront.Count(p => all.Any(q => Dominates(q, p, e => e.LatencySeconds, Objective)));

        // At equal accuracy: the fastest candidate the co-search found at least as accurate as the baseline's choice.
        var b = baseline.Chosen;
        var match = b is null ? null : co.Archive.Where(e => e.LatencySeconds is not null && Objective(e) >= Objective(b)).MinBy(e => e.LatencySeconds);
        return new CoSearchResult(front, defaultFront, dominated, co.Chosen, b, match,
            match is null || b?.LatencySeconds is null ? null : b.LatencySeconds / match.LatencySeconds,
            match is null || b?.DefaultSeconds is null ? null : b.DefaultSeconds / match.LatencySeconds, all.Count);
    }

    private static JsonObject Point(Evaluated e, string space, double gapWeight) => new()
    {
        ["architecture"] = e.Architecture.ToJson(space),
        ["layers"] = new JsonArray([.. e.Layers.Select(l => (JsonNode)l.Name)]),
        ["accuracy"] = e.Accuracy.Top1,
        ["train_accuracy"] = e.Accuracy.Train,
        ["objective"] = e.Accuracy.Score(gapWeight),
        ["latency_ms"] = e.LatencyMs,
        ["default_latency_ms"] = e.DefaultMs,
        ["vta_config"] = e.Board.Vta.ConfigString,
    };

    public JsonObject ToJson(string space, double gapWeight, JsonObject about) => new()
    {
        ["front"] = new JsonArray([.. Front.Select(e => (JsonNode)Point(e, space, gapWeight))]),
        ["dominated_default_points"] = DominatedDefaultPoints,
        ["gain_at_equal_accuracy"] = Gain,
        ["default_front"] = new JsonArray([.. DefaultFront.Select(e => (JsonNode)Point(e, space, gapWeight))]),
        ["chosen"] = Chosen is null ? null : Point(Chosen, space, gapWeight),
        ["baseline_chosen"] = BaselineChosen is null ? null : Point(BaselineChosen, space, gapWeight),
        ["equal_accuracy_match"] = Match is null ? null : Point(Match, space, gapWeight),
        ["gain_over_default_schedules"] = GainOverDefaultSchedules,
        ["candidates_evaluated"] = Evaluated,
        ["about"] = about,
    };

    public static string Write(JsonObject o) => o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
