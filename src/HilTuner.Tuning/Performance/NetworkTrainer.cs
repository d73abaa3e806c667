using HilTuner.Onnx;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using MathNet.Numerics.Statistics;

namespace HilTuner.Tuning.Performance;

/// <summary>How a performance network is trained.</summary>
public sealed record NetworkTrainingOptions
{
    /// <summary>Restarts from seeded random weights; the one with the lowest training loss is kept.</summary>
    public int Restarts { get; init; } = 6;

    public int Seed { get; init; }

    /// <summary>L2 penalty on the hidden layer's weights, as the LANN scripts' kernel regulariser.</summary>
    public double L2 { get; init; } = 1e-3;

    /// <summary>BFGS iterations per restart.</summary>
    public int MaxIterations { get; init; } = 400;
}

/// <summary>
/// Trains the LANN network (Srivastava et al., arXiv 2003.07497; the authors' code: one hidden ReLU layer, MSE) on
/// measured seconds: inputs ln(1 + x) standardised with the training rows' statistics, the target ln(seconds)
/// standardised, the mean squared error plus an L2 penalty on the hidden weights minimised with MathNet.Numerics'
/// BFGS (analytic gradient) from several seeded starts.
/// </summary>
public static class NetworkTrainer
{
    /// <summary>
    /// A network of <paramref name="hidden"/> units over <paramref name="inputs"/> (rows in that order) predicting
    /// <paramref name="seconds"/>; <paramref name="metadata"/> goes into its file.
    /// </summary>
    public static MlpRegressor Train(IReadOnlyList<string> inputs, IReadOnlyList<float[]> rows, IReadOnlyList<double> seconds, int hidden, NetworkTrainingOptions? options = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (seconds.Any(s => !(s > 0)))
        {
            throw new ArgumentException($"a performance network needs positive seconds (got {seconds.FirstOrDefault(s => !(s > 0))})");
        }

        return TrainOnLogs(inputs, rows, [.. seconds.Select(s => Math.Log(s))], hidden, options, metadata);
    }

    /// <summary>
    /// The same network and training on log targets given directly — e.g. ln(measured / estimate), the board's deviation
    /// from the timing model — so that the network's <see cref="MlpRegressor.PredictLog"/> predicts them.
    /// </summary>
    public static MlpRegressor TrainOnLogs(IReadOnlyList<string> inputs, IReadOnlyList<float[]> rows, IReadOnlyList<double> logs, int hidden, NetworkTrainingOptions? options = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        options ??= new NetworkTrainingOptions();
        var n = rows.Count;
        var d = inputs.Count;
        if (n < 2 || logs.Count != n || rows.Any(r => r.Length != d) || logs.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException($"a performance network needs at least 2 rows of {d} inputs with finite targets (got {n} rows, {logs.Count} targets)");
        }

        var logged = rows.Select(r => r.Select(v => Math.Log(1.0 + v)).ToArray()).ToArray();
        var mean = new double[d];
        var scale = new double[d];
        for (var j = 0; j < d; j++)
        {
            var column = logged.Select(r => r[j]).ToArray();
            mean[j] = column.Mean();
            var sd = column.PopulationStandardDeviation();
            scale[j] = sd > 1e-9 ? sd : 1;
        }

        var x = Matrix<double>.Build.Dense(n, d, (i, j) => (logged[i][j] - mean[j]) / scale[j]);
        var y = logs.ToArray();
        var targetMean = y.Mean();
        var targetSd = y.PopulationStandardDeviation();
        var targetScale = targetSd > 1e-9 ? targetSd : 1;
        var t = Vector<double>.Build.Dense(n, i => (y[i] - targetMean) / targetScale);

        var size = MlpRegressor.ParameterCount(d, hidden);
        Vector<double>? best = null;
        var bestLoss = double.PositiveInfinity;
        for (var restart = 0; restart < options.Restarts; restart++)
        {
            var random = new Random((options.Seed * 7919) + restart);
            var start = Vector<double>.Build.Dense(size);
            for (var k = 0; k < hidden * d; k++)
            {
                start[k] = Normal.Sample(random, 0, Math.Sqrt(2.0 / d));
            }

            for (var k = 0; k < hidden; k++)
            {
                start[(hidden * d) + k] = 0.1;
                start[(hidden * d) + hidden + k] = Normal.Sample(random, 0, Math.Sqrt(1.0 / hidden));
            }

            // The best point any evaluation saw: BFGS may stop on a failed line search or its iteration limit.
            var seen = start;
            var seenLoss = double.PositiveInfinity;
            (double, Vector<double>) Objective(Vector<double> p)
            {
                var (loss, gradient) = LossAndGradient(p, x, t, hidden, options.L2);
                if (loss < seenLoss)
                {
                    seenLoss = loss;
                    seen = p.Clone();
                }

                return (loss, gradient);
            }

            try
            {
                new BfgsMinimizer(1e-6, 1e-10, 1e-12, options.MaxIterations).FindMinimum(ObjectiveFunction.Gradient(Objective), start);
            }
            catch (Exception e) when (e is OptimizationException or MathNet.Numerics.NonConvergenceException)
            {
                // Keep the best point seen.
            }

            if (seenLoss < bestLoss)
            {
                bestLoss = seenLoss;
                best = seen;
            }
        }

        var w = best!;
        var b1Start = hidden * d;
        return new MlpRegressor(
            inputs, mean, scale,
            [.. w.Take(b1Start)],
            [.. w.Skip(b1Start).Take(hidden)],
            [.. w.Skip(b1Start + hidden).Take(hidden)],
            w[size - 1],
            targetMean,
            targetScale,
            metadata);
    }

    /// <summary>
    /// The mean squared error of the standardised log target plus <paramref name="l2"/> · ‖W1‖², and its gradient.
    /// Parameters: W1 (hidden × inputs, row-major), b1, w2, b2.
    /// </summary>
    internal static (double Loss, Vector<double> Gradient) LossAndGradient(Vector<double> p, Matrix<double> x, Vector<double> t, int hidden, double l2)
    {
        var n = x.RowCount;
        var d = x.ColumnCount;
        var w1 = Matrix<double>.Build.Dense(hidden, d, (k, j) => p[(k * d) + j]);
        var b1 = p.SubVector(hidden * d, hidden);
        var w2 = p.SubVector((hidden * d) + hidden, hidden);
        var b2 = p[p.Count - 1];

        var pre = x.TransposeAndMultiply(w1);
        pre.MapIndexedInplace((_, k, v) => v + b1[k]);
        var act = pre.Map(v => Math.Max(0, v));
        var residual = (act * w2) + b2 - t;
        var loss = (residual.DotProduct(residual) / n) + (l2 * w1.Enumerate().Sum(v => v * v));

        var dOut = residual * (2.0 / n);
        var gradient = Vector<double>.Build.Dense(p.Count);
        var dAct = dOut.OuterProduct(w2);
        dAct.MapIndexedInplace((i, k, v) => pre[i, k] > 0 ? v : 0);
        var gW1 = dAct.TransposeThisAndMultiply(x) + (w1 * (2 * l2));
        for (var k = 0; k < hidden; k++)
        {
            for (var j = 0; j < d; j++)
            {
                gradient[(k * d) + j] = gW1[k, j];
            }

            gradient[(hidden * d) + k] = dAct.Column(k).Sum();
            gradient[(hidden * d) + hidden + k] = act.Column(k).DotProduct(dOut);
        }

        gradient[p.Count - 1] = dOut.Sum();
        return (loss, gradient);
    }
}
