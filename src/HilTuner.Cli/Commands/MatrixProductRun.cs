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
        var product = Create(board, shape, seed);
        return Execute(board, product, product.Reference(), options);
    }

    /// <summary>The product of the matrix product's operands for <paramref name="shape"/> on <paramref name="board"/>.</summary>
    public static TiledMatrixProduct Create(Board board, MatrixProductShape shape, int seed)
    {
        try
        {
            return TiledMatrixProduct.Create(board, shape, seed);
        }
        catch (ArgumentException e)
        {
            // The shape does not fit the board's configuration (or the options): bad input, named by the message.
            throw new CliException($"{board.Name}: {e.Message}");
        }
    }

    /// <summary>
    /// One timed run of <paramref name="product"/>, its output compared with <paramref name="reference"/>: on
    /// <paramref name="simulator"/> (a board's one simulator, kept across runs as the tuner's back end keeps it), or on a
    /// fresh one.
    /// </summary>
    public static MatrixProductRun Execute(Board board, TiledMatrixProduct product, sbyte[] reference, RunOptions? options = null, VtaSimulator? simulator = null)
    {
        simulator ??= new VtaSimulator(board);
        var clock = Stopwatch.StartNew();
        var (result, output) = product.Run(simulator, options);
        var wall = clock.Elapsed.TotalSeconds;
        var matches = result.Status == RunStatus.Finished && output.AsSpan().SequenceEqual(reference);
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
