using System.Diagnostics;
using HilTuner.Vta.Config;
using HilTuner.Vta.Programs;
using HilTuner.Vta.Simulation;

namespace HilTuner.Cli.Commands;

/// <summary>One simulated run of the sample matrix product, timed on the host and checked against its reference.</summary>
internal sealed record MatrixProductRun(Board Board, TiledMatrixProduct Product, RunResult Result, bool Matches, double WallSeconds)
{
    public static MatrixProductRun Execute(Board board, MatrixProductShape shape, int seed, RunOptions? options = null)
    {
        TiledMatrixProduct product;
        try
        {
            product = TiledMatrixProduct.Create(board, shape, seed);
        }
        catch (ArgumentException e)
        {
            // The shape does not fit the board's configuration (or the options): bad input, named by the message.
            throw new CliException($"{board.Name}: {e.Message}");
        }

        var simulator = new VtaSimulator(board);
        var clock = Stopwatch.StartNew();
        var (result, output) = product.Run(simulator, options);
        var wall = clock.Elapsed.TotalSeconds;
        var matches = result.Status == RunStatus.Finished && output.AsSpan().SequenceEqual(product.Reference());
        return new MatrixProductRun(board, product, result, matches, wall);
    }

    /// <summary>Board time of the accelerator alone (no host launch overhead).</summary>
    public double AcceleratorSeconds => Result.Cycles * Board.Fabric.SecondsPerCycle;

    /// <summary>Multiply-accumulates simulated per wall second.</summary>
    public double MacsPerSecond => Product.MultiplyAccumulates / WallSeconds;

    /// <summary>Wall time over modelled board time.</summary>
    public double Slowdown => WallSeconds / AcceleratorSeconds;

    /// <summary>Board throughput in GOPS (two operations per multiply-accumulate).</summary>
    public double BoardGops => 2.0 * Product.MultiplyAccumulates / AcceleratorSeconds / 1e9;
}
