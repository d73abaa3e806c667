using System.Diagnostics;
using HilTuner.Compiler;
using HilTuner.Onnx;
using HilTuner.Tuning.Validity;
using HilTuner.Validity;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>
/// Rows per second through the validity gate's three engines on one model, measured in one run on the same rows:
/// a reused ML.NET PredictionEngine, ML.NET's batch Transform, and OnnxRuntime in batches.
/// </summary>
public static class GateBenchmark
{
    /// <param name="Lanes">How many OnnxRuntime calls run at once in <paramref name="Onnx"/> (one per core).</param>
    /// <param name="OnnxOneLane">
    /// OnnxRuntime in the largest batch on one lane, one thread: the engines compared core for core (the
    /// PredictionEngine runs on one thread).
    /// </param>
    public sealed record Result(int Rows, double PredictionEngine, double Transform, int Lanes, IReadOnlyList<(int Batch, double RowsPerSecond)> Onnx, double OnnxOneLane, double MaxDifference);

    public static Result Run(string modelPath, Board board, IReadOnlyList<float[]> distinctRows, int rows, IReadOnlyList<int> batches)
    {
        var width = ProgramFeatures.Count;
        var flat = new float[rows * width];
        var list = new float[rows][];
        for (var i = 0; i < rows; i++)
        {
            list[i] = distinctRows[i % distinctRows.Count];
            list[i].CopyTo(flat, i * width);
        }

        var mlnet = MlNetValidityModel.Load(modelPath);

        // PredictionEngine, reused, one row at a time, at its fastest: the input and output objects are reused too.
        var engine = mlnet.CreateEngine();
        var input = new ValidityRow();
        var output = new ValidityPrediction();
        var engineOut = new float[rows];
        double Engine()
        {
            for (var i = 0; i < rows; i++)
            {
                input.Features = list[i];
                engine.Predict(input, ref output);
                engineOut[i] = output.Probability;
            }

            return 0;
        }

        float[] transformOut = [];
        double Transform()
        {
            transformOut = mlnet.Transform(list);
            return 0;
        }

        var engineRate = Time(Engine, rows);
        var transformRate = Time(Transform, rows);
        var onnx = new List<(int, double)>();
        var maxDifference = 0.0;
        double Onnx(OnnxPredictorOptions options)
        {
            using var predictor = ValidityPredictor.Open(modelPath, board, options: options);
            var batch = options.BatchSize;
            var ortOut = new double[rows];
            double Ort()
            {
                for (var start = 0; start < rows; start += batch)
                {
                    var count = Math.Min(batch, rows - start);
                    predictor.FailureProbabilities(flat.AsSpan(start * width, count * width), count, ortOut.AsSpan(start, count));
                }

                return 0;
            }

            var rate = Time(Ort, rows);
            for (var i = 0; i < rows; i++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(ortOut[i] - engineOut[i]));
            }

            return rate;
        }

        foreach (var batch in batches)
        {
            onnx.Add((batch, Onnx(new OnnxPredictorOptions { BatchSize = batch })));
        }

        var oneLane = Onnx(new OnnxPredictorOptions { BatchSize = batches.Max(), Parallelism = 1, IntraOpThreads = 1 });

        for (var i = 0; i < rows; i++)
        {
            maxDifference = Math.Max(maxDifference, Math.Abs(transformOut[i] - engineOut[i]));
        }

        return new Result(rows, engineRate, transformRate, new OnnxPredictorOptions().EffectiveParallelism, onnx, oneLane, maxDifference);
    }

    /// <summary>Rows per second of <paramref name="work"/> over <paramref name="rows"/> rows: one warm-up run, then the best of three.</summary>
    private static double Time(Func<double> work, int rows)
    {
        work();
        var best = double.PositiveInfinity;
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            work();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return rows / best;
    }
}
