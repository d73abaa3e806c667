namespace HilTuner.Vta.Programs;

/// <summary>
/// The shape of <see cref="TiledMatrixProduct"/>: C[M][N] = clip((A[M][K] · W[N][K]ᵀ) >> Shift, −128, 127), with A in
/// BATCH-row input vectors, K in BLOCK_IN blocks and N in BLOCK_OUT blocks, computed tile by tile.
/// </summary>
/// <param name="Rows">M: input vectors (rows of BATCH values).</param>
/// <param name="InBlocks">K: BLOCK_IN-wide blocks of the reduction axis.</param>
/// <param name="OutBlocks">N: BLOCK_OUT-wide blocks of the output axis.</param>
/// <param name="TileRows">Rows of A per tile.</param>
/// <param name="TileOutBlocks">Output blocks per tile.</param>
/// <param name="VirtualThreads">1, or 2 to double-buffer every SRAM so load, compute and store overlap.</param>
/// <param name="Shift">The right shift of the epilogue.</param>
public sealed record MatrixProductShape(int Rows, int InBlocks, int OutBlocks, int TileRows, int TileOutBlocks, int VirtualThreads = 2, int Shift = 8)
{
    /// <summary>
    /// The benchmark's product (512×256 by 256×1024 values: 134 M multiply-accumulates) tiled to fit
    /// <paramref name="board"/>'s buffers, double-buffered.
    /// </summary>
    public static MatrixProductShape BenchmarkFor(Config.Board board)
    {
        var c = board.Vta;
        var (rows, k, n) = (Math.Max(1, 512 / c.Batch), Math.Max(1, 256 / c.BlockIn), Math.Max(1, 1024 / c.BlockOut));
        var tileOut = LargestDivisor(n, Math.Min(16, c.WgtBuffDepth / (2 * k)));
        var tileRows = tileOut == 0 ? 0 : LargestDivisor(rows, Math.Min(Math.Min(32, c.InpBuffDepth / (2 * k)),
            Math.Min(c.AccBuffDepth, board.Hardware.UopBufferDepth) / (2 * tileOut)));
        if (tileOut == 0 || tileRows == 0 || tileRows * tileOut < 2)
        {
            throw new ArgumentException($"{board.Name}: the buffers of {c.ConfigString} are too small to double-buffer the benchmark's tiles");
        }

        return new MatrixProductShape(rows, k, n, tileRows, tileOut);
    }

    private static int LargestDivisor(int n, int limit)
    {
        for (var d = Math.Min(n, limit); d >= 1; d--)
        {
            if (n % d == 0)
            {
                return d;
            }
        }

        return 0;
    }

    public int Tiles => (Rows / TileRows) * (OutBlocks / TileOutBlocks);
}
