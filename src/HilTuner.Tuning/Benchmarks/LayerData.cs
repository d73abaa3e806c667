using HilTuner.Compiler.Statuses;
using HilTuner.Hardware.Replay;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>One layer of a benchmark on one truth board: the truth board's ground truth, its optimum and random search's expectation.</summary>
internal sealed class LayerData
{
    public LayerData(GroundTruthTable truth)
    {
        Truth = truth;
        (BestIndex, var seconds) = truth.Best();
        BestGflops = BestIndex < 0 ? 0 : truth.Workload.Operations / seconds / 1e9;
        SortedGflops = truth.Entries.Select(e => Gflops(e)).Order().ToArray();
    }

    public GroundTruthTable Truth { get; }

    public string Name => Truth.Workload.Name;

    public long BestIndex { get; }

    public double BestGflops { get; }

    /// <summary>
    /// Whether a configuration counts as the best: the optimum itself, or (with a tolerance above 0) one whose noise-free
    /// time is within <paramref name="tolerance"/> of the optimum's.
    /// </summary>
    public bool IsBest(long index, double tolerance) =>
        index == BestIndex || (tolerance > 0 && BestGflops > 0 && Gflops(index) * (1 + tolerance) >= BestGflops);

    /// <summary>Configurations that count as the best (<see cref="IsBest"/>).</summary>
    public int CountBest(double tolerance) => tolerance > 0 ? SortedGflops.Count(g => g > 0 && g * (1 + tolerance) >= BestGflops) : (BestIndex < 0 ? 0 : 1);

    /// <summary>GFLOPS of every configuration (0 for those that fail), ascending: random search's order statistics.</summary>
    public double[] SortedGflops { get; }

    /// <summary>The truth board's GFLOPS of a configuration without noise (0 when it fails there).</summary>
    public double Gflops(long index) => Gflops(Truth[index]);

    private double Gflops(GroundTruthEntry e) => e.Status == MeasureStatus.Ok ? Truth.Workload.Operations / e.Seconds / 1e9 : 0;

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
