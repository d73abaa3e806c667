using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Tuning.Models;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Performance;

/// <summary>One measured configuration: its program features on the model's board, and its time on the truth board.</summary>
public sealed record PredictorSample(string Workload, long Index, float[] Row, double Seconds)
{
    /// <summary>The timing model's estimate on the model's board (<c>compile.est_seconds</c>).</summary>
    public double Estimate => Row[EstimateColumn];

    internal static readonly int EstimateColumn = ProgramFeatures.Names.ToList().IndexOf("compile.est_seconds");

    public MeasuredProgram Measured => new(Row, MeasureStatus.Ok, Seconds) { Target = "sim" };
}

/// <summary>A predictor's held-out error at one training-set size.</summary>
public sealed record PredictorScore(string Predictor, int Samples, int Parameters, double Mape, IReadOnlyDictionary<string, double> MapePerLayer, int HeldOut);

/// <summary>
/// The performance predictors compared on the same measurements: LANN, the plain network of the same budget, a
/// larger plain network, ML.NET FastTree regression and the timing model's raw estimate. Training rows are drawn
/// (seeded) from the measured configurations of every layer; every predictor is scored on the same held-out rest.
/// </summary>
public static class PredictorBenchmark
{
    public static IReadOnlyList<string> Names { get; } = ["lann", "ffnn", "ffnn-large", "fasttree", "estimate"];

    /// <summary>
    /// Up to <paramref name="perLayer"/> configurations of each workload, drawn at random (seeded) among those that
    /// compile: features from <paramref name="board"/>'s compiler and timing model, seconds from the simulator of
    /// <paramref name="truthBoard"/> (a board file of the same VTA configuration and other timing), times
    /// (1 + noise·N(0, 1)) when <paramref name="noise"/> is above 0.
    /// </summary>
    public static IReadOnlyList<PredictorSample> Measure(IEnumerable<Workload> workloads, Board board, Board truthBoard, int perLayer, int seed, double noise = 0)
    {
        if (truthBoard.Vta.ConfigString != board.Vta.ConfigString)
        {
            throw new ArgumentException($"the truth board {truthBoard.Name} has VTA configuration {truthBoard.Vta.ConfigString}, not {board.Vta.ConfigString} as {board.Name}");
        }

        var samples = new List<PredictorSample>();
        var layer = 0;
        foreach (var workload in workloads)
        {
            var space = Templates.For(workload, board.Vta);
            var random = new Random((seed * 7919) + layer++);
            var candidates = Enumerable.Range(0, (int)space.Size).OrderBy(_ => random.Next()).Take(perLayer * 4).ToArray();
            var tensors = OperatorTensors.Random(workload, 0);
            var found = new PredictorSample?[candidates.Length];
            using var targets = new ThreadLocal<SimTarget>(() => new SimTarget(truthBoard));
            Parallel.For(0, candidates.Length, i =>
            {
                var configuration = space.Get(candidates[i]);
                if (VtaCompiler.Compile(workload, configuration, board).Program is not { } program
                    || VtaCompiler.Compile(workload, configuration, truthBoard).Program is not { } truthProgram)
                {
                    return;
                }

                var m = targets.Value!.Measure(truthProgram, tensors, MeasureOptions.Default with { CheckOutput = false });
                if (m.Status == MeasureStatus.Ok && m.Seconds > 0)
                {
                    found[i] = new PredictorSample(workload.Name, configuration.Index, ProgramFeatures.Of(program, board), m.Seconds);
                }
            });
            var noiseRandom = new Random((seed * 7919) + layer + 100_000);
            samples.AddRange(found.OfType<PredictorSample>().Take(perLayer)
                .Select(s => noise > 0 ? s with { Seconds = s.Seconds * Math.Max(0.01, 1 + (noise * MathNet.Numerics.Distributions.Normal.Sample(noiseRandom, 0, 1))) } : s));
        }

        return samples;
    }

    /// <summary>
    /// Every predictor trained on the first <c>n</c> of the (seeded) shuffled samples for each <paramref name="sizes"/>
    /// and scored (MAPE, overall and per layer) on the samples after the largest size.
    /// </summary>
    public static IReadOnlyList<PredictorScore> Run(IReadOnlyList<PredictorSample> samples, Board board, IReadOnlyList<int> sizes, int seed)
    {
        var largest = sizes.Max();
        var random = new Random(seed);
        var shuffled = samples.OrderBy(_ => random.Next()).ToList();
        if (shuffled.Count <= largest)
        {
            throw new ArgumentException($"{samples.Count} measured configurations: more than {largest} are needed to hold some out");
        }

        var heldOut = shuffled.Skip(largest).ToList();
        var scores = new List<PredictorScore>();
        foreach (var n in sizes)
        {
            var training = shuffled.Take(n).ToList();
            foreach (var name in Names)
            {
                var (predict, parameters) = Fit(name, training, board, seed);
                var predicted = heldOut.Select(s => predict(s.Row)).ToList();
                var perLayer = heldOut.Select((s, i) => (s.Workload, Error: Ape(predicted[i], s.Seconds)))
                    .GroupBy(e => e.Workload).ToDictionary(g => g.Key, g => g.Average(e => e.Error));
                scores.Add(new PredictorScore(name, n, parameters, heldOut.Select((s, i) => Ape(predicted[i], s.Seconds)).Average(), perLayer, heldOut.Count));
            }
        }

        return scores;
    }

    private static double Ape(double predicted, double truth) => Math.Abs(predicted - truth) / truth;

    private static (Func<float[], double> Predict, int Parameters) Fit(string name, IReadOnlyList<PredictorSample> training, Board board, int seed)
    {
        var measured = training.Select(s => s.Measured).ToList();
        var options = new NetworkTrainingOptions { Seed = seed };
        switch (name)
        {
            case "estimate":
                return (row => row[PredictorSample.EstimateColumn], 0);
            case "fasttree":
                var trees = PerformanceModel.Fit([.. training.Select(s => s.Row)], [.. training.Select(s => Math.Log(s.Seconds))], null, seed, trees: 100, leaves: 8, learningRate: 0.1);
                return (row => Math.Exp(trees.Correction(row)), trees.Parameters);
            default:
                var shape = name switch
                {
                    "lann" => PerformanceNetworks.Lann,
                    "ffnn" => PerformanceNetworks.Ffnn,
                    _ => PerformanceNetworks.FfnnLarge,
                };
                var network = PerformanceNetworks.Train(shape, measured, board, options);
                return (row => network.Predict(shape.Select(row)), network.Parameters);
        }
    }
}
