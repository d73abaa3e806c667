using HilTuner.Vta.Config;
using MathNet.Numerics.Statistics;
using HilTuner.Vta.Programs;
using HilTuner.Vta.Simulation;

namespace HilTuner.Cli.Commands;

/// <summary>
/// <c>bench sim</c> on one board: the benchmark's matrix product run untimed to warm up, then <c>runs</c> times, each run
/// timed on the host and checked against the reference; the figures are the medians of the timed runs.
/// </summary>
internal sealed record SimBench(long MultiplyAccumulates, double BoardSeconds, IReadOnlyList<double> Walls, bool Matches)
{
    /// <summary>The fewest untimed runs before the timed ones.</summary>
    public const int WarmUpRuns = 3;

    /// <summary>The shortest untimed warm-up.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Measures every board: untimed runs of each first, then <paramref name="runs"/> rounds in which each board runs once,
    /// in turn. Interleaved, a board's place in the list does not decide its figures: measured one board after the other,
    /// the first board of an invocation came out about 30% slower than the later ones, whichever it was.
    /// </summary>
    public static IReadOnlyList<SimBench> Measure(IReadOnlyList<Board> boards, int runs)
    {
        var matches = new bool[boards.Count];
        var products = new (TiledMatrixProduct Product, sbyte[] Reference)[boards.Count];

        // One simulator per board for all its runs, as the tuner's simulator back end keeps one: its SRAMs and DRAM pages
        // are allocated once, not on every run.
        var simulators = boards.Select(b => new VtaSimulator(b)).ToArray();
        for (var b = 0; b < boards.Count; b++)
        {
            var shape = MatrixProductShape.BenchmarkFor(boards[b]);

            // Untimed runs first, for at least half a second of simulation (the reference is made once, outside it): the
            // JIT's tiered compilation promotes hot methods about 100 ms after they become hot.
            var warmUp = MatrixProductRun.Create(boards[b], shape, seed: 2);
            var warmUpReference = warmUp.Reference();
            matches[b] = true;
            var warm = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < WarmUpRuns || warm.Elapsed < WarmUp; i++)
            {
                matches[b] &= MatrixProductRun.Execute(boards[b], warmUp, warmUpReference, simulator: simulators[b]).Matches;
            }

            var product = MatrixProductRun.Create(boards[b], shape, seed: 1);
            products[b] = (product, product.Reference());
        }

        var walls = boards.Select(_ => new List<double>()).ToArray();
        var last = new MatrixProductRun?[boards.Count];
        for (var i = 0; i < runs; i++)
        {
            for (var b = 0; b < boards.Count; b++)
            {
                last[b] = MatrixProductRun.Execute(boards[b], products[b].Product, products[b].Reference, simulator: simulators[b]);
                matches[b] &= last[b]!.Matches;
                walls[b].Add(last[b]!.WallSeconds);
            }
        }

        return [.. Enumerable.Range(0, boards.Count).Select(b =>
        {
            walls[b].Sort();
            return new SimBench(last[b]!.Product.MultiplyAccumulates, last[b]!.AcceleratorSeconds, walls[b], matches[b]);
        })];
    }

    /// <summary>The median wall seconds of the timed runs (the mean of the middle two for an even count).</summary>
    public double WallSeconds => Walls.Median();

    public double MacsPerSecond => MultiplyAccumulates / WallSeconds;

    /// <summary>Median wall seconds over modelled board seconds.</summary>
    public double Slowdown => WallSeconds / BoardSeconds;

    public double FastestSlowdown => Walls[0] / BoardSeconds;

    public double SlowestSlowdown => Walls[^1] / BoardSeconds;
}
