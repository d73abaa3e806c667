using HilTuner.Compiler;
using HilTuner.Compiler.Statuses;
using HilTuner.Tuning.Tuners;
using HilTuner.Tuning.ValidityTraining;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace HilTuner.Tuning.Models;

/// <summary>
/// ML²Tuner's ModelA in HilTuner's form: gradient-boosted regression trees on a compiled program's features
/// (<see cref="ProgramFeatures"/>: shape, knobs, board, compile features) predicting a correction to the log of the
/// timing model's estimate. Trained on other tasks it learns what the estimate misses (overlap, stalls, DMA
/// bursts), which carries over between layers; trained on a task's own measurements it corrects what remains.
/// </summary>
internal sealed class PerformanceModel
{
    private static readonly int EstimateIndex = ProgramFeatures.Names.ToList().IndexOf("compile.est_seconds");

    private readonly TreeEnsemble _ensemble;

    private PerformanceModel(TreeEnsemble ensemble) => _ensemble = ensemble;

    /// <summary>The log of the timing model's estimate in a row.</summary>
    public static double LogEstimate(ReadOnlySpan<float> row) => Math.Log(Math.Max(row[EstimateIndex], 1e-9f));

    /// <summary>Fitted numbers of its trees (split thresholds and leaf values).</summary>
    public int Parameters { get; private init; }

    /// <summary>The correction this model adds to a log time.</summary>
    public double Correction(ReadOnlySpan<float> row) => _ensemble.Score(row);

    /// <summary>
    /// Trains trees mapping rows to <paramref name="labels"/> (log corrections), rows weighted by <paramref name="weights"/>
    /// (null: all 1).
    /// </summary>
    public static PerformanceModel Fit(IReadOnlyList<float[]> rows, IReadOnlyList<double> labels, IReadOnlyList<float>? weights, int seed, int trees, int leaves, double learningRate)
    {
        if (rows.Count == 0)
        {
            throw new ArgumentException("no rows", nameof(rows));
        }

        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ProgramFeatures.Count);
        var data = ml.Data.LoadFromEnumerable(
            rows.Select((r, i) => new Example { Features = r, Label = (float)labels[i], Weight = weights?[i] ?? 1 }).ToList(), schema);
        var model = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            NumberOfTrees = trees,
            NumberOfLeaves = leaves,
            MinimumExampleCountPerLeaf = rows.Count < 50 ? 1 : 3,
            LearningRate = learningRate,
            NumberOfThreads = 1,
            ExampleWeightColumnName = nameof(Example.Weight),
        }).Fit(data);
        var ensemble = model.Model.TrainedTreeEnsemble;
        return new PerformanceModel(new TreeEnsemble(ensemble)) { Parameters = ensemble.Trees.Sum(t => t.NumberOfNodes + t.NumberOfLeaves) };
    }

    /// <summary>The transfer model: from programs of other tasks that ran, log(seconds / estimate).</summary>
    public static PerformanceModel? TrainPrior(IEnumerable<MeasuredProgram> programs, int seed)
    {
        var ran = programs.Where(p => p.Status == MeasureStatus.Ok && p.Seconds > 0).ToList();
        if (ran.Count < 10)
        {
            return null;
        }

        return Fit(ran.Select(p => p.Features).ToList(), ran.Select(p => Math.Log(p.Seconds) - LogEstimate(p.Features)).ToList(), null, seed, trees: 200, leaves: 16, learningRate: 0.1);
    }

    private sealed class Example
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = [];

        public float Weight { get; set; }
    }
}
