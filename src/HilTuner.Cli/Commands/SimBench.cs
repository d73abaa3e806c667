using HilTuner.Vta.Config;
using MathNet.Numerics.Statistics;
using HilTuner.Vta.Programs;

namespace HilTuner.Cli.Commands;

/// <summary>
/// <c>bench sim</c> on one board: the benchmark's matrix product run once to warm up, then <c>runs</c> times, each run
/// timed on the host and checked against the reference; the figures are the medians of the timed runs.
/// </summary>
internal sealed record SimBench(long MultiplyAccumulates, double BoardSeconds, IReadOnlyList<double> Walls, bool Matches)
{
    /// <summary>The fewest untimed runs before the timed ones.</summary>
    public const int WarmUpRuns = 3;

    /// <summary>The shortest untimed warm-up.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);

    public static SimBench Measure(Board board, int runs)
    {
        var shape = MatrixProductShape.BenchmarkFor(board);

        // Untimed runs first, for at least half a second: the JIT's tiered compilation promotes hot methods about 100 ms
        // after they become hot, and with one untimed run the first board measured ran ~30% slower than the next.
        var matches = true;
        var warm = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < WarmUpRuns || warm.Elapsed < WarmUp; i++)
        {
            matches &= MatrixProductRun.Execute(board, shape, seed: 2).Matches;
        }

        var product = MatrixProductRun.Create(board, shape, seed: 1);
        var reference = product.Reference();
        var walls = new List<double>();
        MatrixProductRun? last = null;
        for (var i = 0; i < runs; i++)
        {
            last = MatrixProductRun.Execute(board, product, reference);
            matches &= last.Matches;
            walls.Add(last.WallSeconds);
        }

        walls.Sort();
        return new SimBench(last!.Product.MultiplyAccumulates, last.AcceleratorSeconds, walls, matches);
    }

    /// <summary>The median wall seconds of the timed runs (the mean of the middle two for an even count).</summary>
    public double WallSeconds => Walls.Median();

    public double MacsPerSecond => MultiplyAccumulates / WallSeconds;

    /// <summary>Median wall seconds over modelled board seconds.</summary>
    public double Slowdown => WallSeconds / BoardSeconds;

    public double FastestSlowdown => Walls[0] / BoardSeconds;

    public double SlowestSlowdown => Walls[^1] / BoardSeconds;
}
