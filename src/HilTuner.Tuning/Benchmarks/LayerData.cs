using HilTuner.Compiler;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.ValidityTraining;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>One layer of a benchmark: its ground truth, a builder shared by all runs on it, and its measured programs.</summary>
internal sealed class LayerData
{
    public LayerData(GroundTruthTable truth)
    {
        Truth = truth;
        Builder = new CachingBuilder(LocalBuilder.Instance);
        var space = Compiler.Space.Templates.For(truth.Workload, truth.Board.Vta);
        var programs = new MeasuredProgram?[truth.Entries.Count];
        Parallel.For(0, truth.Entries.Count, i =>
        {
            var entry = truth.Entries[i];
            if (entry.Status == MeasureStatus.CompileError)
            {
                return;
            }

            var program = Builder.Build(truth.Workload, space.Get(i), truth.Board).Program
                ?? throw new GroundTruthException($"the ground truth of {truth.Workload.Name} says configuration {i} compiles, but it does not: the table is stale");
            programs[i] = new MeasuredProgram(ProgramFeatures.Of(program, truth.Board), entry.Status, entry.Seconds);
        });
        Programs = programs.OfType<MeasuredProgram>().ToList();
        (BestIndex, var seconds) = truth.Best();
        BestGflops = BestIndex < 0 ? 0 : truth.Workload.Operations / seconds / 1e9;
        SortedGflops = truth.Entries.Select(e => e.Status == MeasureStatus.Ok ? truth.Workload.Operations / e.Seconds / 1e9 : 0).Order().ToArray();
    }

    public GroundTruthTable Truth { get; }

    public string Name => Truth.Workload.Name;

    public CachingBuilder Builder { get; }

    /// <summary>Every configuration that compiles, as the models see it, with its ground-truth status and time.</summary>
    public IReadOnlyList<MeasuredProgram> Programs { get; }

    public long BestIndex { get; }

    public double BestGflops { get; }

    /// <summary>GFLOPS of every configuration (0 for those that fail), ascending: random search's order statistics.</summary>
    public double[] SortedGflops { get; }

    /// <summary>
    /// The best GFLOPS random search without replacement finds in <paramref name="trials"/> trials, in expectation:
    /// Σᵢ vᵢ · P(the maximum of the draws is the i-th smallest) = Σᵢ vᵢ · C(i − 1, t − 1) / C(S, t), failing
    /// configurations counting 0. Willemsen et al.'s methodology takes the value at the expected rank of the maximum
    /// instead; with most configurations failing (VTA's spaces) that overstates random search, so the exact
    /// expectation is used.
    /// </summary>
    public double RandomBest(int trials)
    {
        var size = SortedGflops.Length;
        var t = Math.Clamp(trials, 1, size);
        lock (_randomBest)
        {
            if (_randomBest.TryGetValue(t, out var cached))
            {
                return cached;
            }

            // log P(max is the t-th smallest) = −log C(S, t); then P(i + 1) / P(i) = i / (i − t + 1).
            var logP = 0.0;
            for (var j = 1; j <= t; j++)
            {
                logP -= Math.Log((size - t + j) / (double)j);
            }

            var expected = 0.0;
            for (var i = t; i <= size; i++)
            {
                expected += Math.Exp(logP) * SortedGflops[i - 1];
                logP += Math.Log(i / (double)(i - t + 1));
            }

            return _randomBest[t] = expected;
        }
    }

    private readonly Dictionary<int, double> _randomBest = [];
}
