using System.Diagnostics;
using HilTuner.Compiler;
using HilTuner.Onnx;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Validity;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>
/// Rows per second through the validity gate's three engines on one model, measured in one run on the same rows:
/// a reused ML.NET PredictionEngine, ML.NET's batch Transform, and OnnxRuntime in batches.
/// </summary>
public static class GateBenchmark
{
    /// <summary>Timed rounds per engine (after one warm-up pass of each).</summary>
    public const int Rounds = 5;

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
        void Engine()
        {
            for (var i = 0; i < rows; i++)
            {
                input.Features = list[i];
                engine.Predict(input, ref output);
                engineOut[i] = output.Probability;
            }
        }

        float[] transformOut = [];
        void Transform() => transformOut = mlnet.Transform(list);

        // OnnxRuntime in each batch size on every core, then in the largest batch on one core.
        var onnxOptions = batches.Select(b => new OnnxPredictorOptions { BatchSize = b })
            .Append(new OnnxPredictorOptions { BatchSize = batches.Max(), Parallelism = 1, IntraOpThreads = 1 }).ToList();
        var predictors = new List<ValidityPredictor>();
        try
        {
            var onnxOut = new List<double[]>();
            var work = new List<Action> { Engine, Transform };
            foreach (var options in onnxOptions)
            {
                var predictor = ValidityPredictor.Open(modelPath, board, options: options);
                predictors.Add(predictor);
                var batch = options.BatchSize;
                var ortOut = new double[rows];
                onnxOut.Add(ortOut);
                work.Add(() =>
                {
                    for (var start = 0; start < rows; start += batch)
                    {
                        var count = Math.Min(batch, rows - start);
                        predictor.FailureProbabilities(flat.AsSpan(start * width, count * width), count, ortOut.AsSpan(start, count));
                    }
                });
            }

            var rates = TimeInRounds(work, rows);
            var maxDifference = 0.0;
            for (var i = 0; i < rows; i++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(transformOut[i] - engineOut[i]));
                foreach (var ortOut in onnxOut)
                {
                    maxDifference = Math.Max(maxDifference, Math.Abs(ortOut[i] - engineOut[i]));
                }
            }

            var onnx = batches.Select((b, k) => (b, rates[2 + k])).ToList();
            return new Result(rows, rates[0], rates[1], new OnnxPredictorOptions().EffectiveParallelism, onnx, rates[^1], maxDifference);
        }
        finally
        {
            predictors.ForEach(p => p.Dispose());
        }
    }

    /// <summary>
    /// Rows per second of each of <paramref name="work"/> over <paramref name="rows"/> rows: one warm-up pass of each,
    /// then <see cref="Rounds"/> rounds in which every engine runs once in turn, and each engine's best pass. Taking the
    /// engines in turn, round after round, gives each the same share of a machine whose speed drifts (other load,
    /// clock changes), so their ratios hold even when the absolute figures move.
    /// </summary>
    private static double[] TimeInRounds(IReadOnlyList<Action> work, int rows)
    {
        foreach (var w in work)
        {
            w();
        }

        var best = Enumerable.Repeat(double.PositiveInfinity, work.Count).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < work.Count; k++)
            {
                var clock = Stopwatch.StartNew();
                work[k]();
                best[k] = Math.Min(best[k], clock.Elapsed.TotalSeconds);
            }
        }

        return [.. best.Select(seconds => rows / seconds)];
    }
}
