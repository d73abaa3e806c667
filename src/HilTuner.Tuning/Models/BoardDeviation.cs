using HilTuner.Compiler;
using MathNet.Numerics.LinearAlgebra;

namespace HilTuner.Tuning.Models;

/// <summary>
/// What hiltuner learns of a board it does not know, online from the measurements it pays for: the deviation of the
/// measured time from the timing model's estimate, log(measured / estimate), as a ridge regression on a few
/// log-scaled program features (the estimate and its per-module cycles, instructions, DMA instructions and bytes,
/// GEMM and ALU work, virtual threads, tiles), standardised over the task's compiled programs. A linear model, unlike
/// trees, carries a trend it saw in a few measurements ("more DMA instructions: slower than estimated") to the
/// programs it has not measured; the ridge penalty keeps it near "the estimate is right" until the measurements say
/// otherwise.
/// </summary>
internal sealed class BoardDeviation
{
    /// <summary>The ridge penalty, in standardised units (each measurement weighs 1).</summary>
    public const double Ridge = 2.0;

    private static readonly string[] Counts =
    [
        "compile.est_cycles", "compile.est_cycles_load", "compile.est_cycles_compute", "compile.est_cycles_store", "compile.insn_total",
        "compile.insn_load_inp", "compile.insn_load_wgt", "compile.insn_store", "compile.insn_load_uop", "compile.dma_bytes_inp",
        "compile.dma_bytes_wgt", "compile.dma_bytes_out", "compile.gemm_uop_iterations", "compile.alu_uop_iterations",
        "compile.virtual_threads", "compile.tiles",
    ];

    private static readonly int[] Columns = [.. Counts.Select(n => ProgramFeatures.Names.ToList().IndexOf(n))];

    private readonly double[] _mean;
    private readonly double[] _scale;
    private double _intercept;
    private double[] _weights = new double[Columns.Length];

    /// <summary>Standardises by the rows of the task's compiled programs (row-major, <see cref="ProgramFeatures.Count"/> wide).</summary>
    public BoardDeviation(float[] rows, int count)
    {
        _mean = new double[Columns.Length];
        _scale = new double[Columns.Length];
        var width = ProgramFeatures.Count;
        for (var c = 0; c < Columns.Length; c++)
        {
            var values = Enumerable.Range(0, count).Select(i => Raw(rows.AsSpan(i * width, width), c)).ToList();
            _mean[c] = values.Count == 0 ? 0 : values.Average();
            var variance = values.Count == 0 ? 0 : values.Average(v => (v - _mean[c]) * (v - _mean[c]));
            _scale[c] = variance > 1e-12 ? Math.Sqrt(variance) : 1;
        }
    }

    /// <summary>Measurements the model was last fitted on.</summary>
    public int Measurements { get; private set; }

    /// <summary>Refits on every measured (row, log(measured / baseline)) pair.</summary>
    public void Fit(IReadOnlyList<(float[] Row, double Deviation)> measured)
    {
        Measurements = measured.Count;
        if (measured.Count == 0)
        {
            (_intercept, _weights) = (0, new double[Columns.Length]);
            return;
        }

        // Centred targets and features make the unpenalised intercept their mean.
        var x = Matrix<double>.Build.Dense(measured.Count, Columns.Length, (i, c) => Standard(measured[i].Row, c));
        var y = Vector<double>.Build.Dense(measured.Count, i => measured[i].Deviation);
        var xMean = x.ColumnSums() / measured.Count;
        var yMean = y.Average();
        var xc = x - Matrix<double>.Build.Dense(measured.Count, Columns.Length, (_, c) => xMean[c]);
        var yc = y - yMean;
        var w = (xc.TransposeThisAndMultiply(xc) + (Ridge * Matrix<double>.Build.DenseIdentity(Columns.Length))).Solve(xc.TransposeThisAndMultiply(yc));
        _weights = w.ToArray();
        _intercept = yMean - xMean.DotProduct(w);
    }

    /// <summary>The predicted log(measured / baseline) of a row.</summary>
    public double Predict(ReadOnlySpan<float> row)
    {
        var result = _intercept;
        for (var c = 0; c < Columns.Length; c++)
        {
            result += _weights[c] * Standard(row, c);
        }

        return result;
    }

    private static double Raw(ReadOnlySpan<float> row, int c) => Math.Log(1 + Math.Max(row[Columns[c]], 0f));

    private double Standard(ReadOnlySpan<float> row, int c) => (Raw(row, c) - _mean[c]) / _scale[c];
}
