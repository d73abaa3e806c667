namespace HilTuner.Tuning.Benchmarks;

/// <summary>A benchmark layer: its optimum, its space size, and random search's expected best after t trials.</summary>
public sealed record LayerSummary(string Workload, double OptimumGflops, int SpaceSize, Func<int, double> RandomBest)
{
    /// <summary>Configurations that count as the best under the benchmark's tolerance (the optimum and its near-ties).</summary>
    public int BestCount { get; init; } = 1;
}
