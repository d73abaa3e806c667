namespace HilTuner.Tuning.Benchmarks;

/// <summary>A benchmark layer: its optimum, its space size, and random search's expected best after t trials.</summary>
public sealed record LayerSummary(string Workload, double OptimumGflops, int SpaceSize, Func<int, double> RandomBest);
