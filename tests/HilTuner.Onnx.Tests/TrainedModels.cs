using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace HilTuner.Onnx.Tests;

/// <summary>
/// Synthetic data with 20 features (continuous, integer-valued with many ties, binary, wide-range, and some NaN
/// values) and two FastTree binary classifiers trained on it once per test run.
/// </summary>
internal sealed class TrainedModels
{
    public const int Width = 20;

    private static readonly Lazy<TrainedModels> Shared = new(() => new TrainedModels(trees: 100));

    private TrainedModels(int trees)
    {
        Ml = new MLContext(seed: 11);
        var random = new Random(7);
        Train = Enumerable.Range(0, 6000).Select(_ => MakeRow(random, nanRate: 0.03)).ToList();
        HeldOut = Enumerable.Range(0, 2000).Select(_ => MakeRow(random, nanRate: 0.08)).ToList();
        Schema = SchemaDefinition.Create(typeof(Row));
        Schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        var data = Ml.Data.LoadFromEnumerable(Train, Schema);

        Fail = TrainHead(data, nameof(Row.Fail), trees);
        RuntimeError = TrainHead(data, nameof(Row.RuntimeError), trees / 2);
    }

    public static TrainedModels Instance => Shared.Value;

    public static string[] FeatureNames { get; } =
        [.. Enumerable.Range(0, Width).Select(i => i switch
        {
            < 8 => $"cont_{i}",
            < 14 => $"int_{i}",
            < 17 => $"flag_{i}",
            _ => $"wide_{i}",
        })];

    public MLContext Ml { get; }

    public SchemaDefinition Schema { get; }

    public List<Row> Train { get; }

    public List<Row> HeldOut { get; }

    public BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> Fail { get; }

    public BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> RuntimeError { get; }

    public PredictionEngine<Row, Prediction> Engine(ITransformer model) =>
        Ml.Model.CreatePredictionEngine<Row, Prediction>(model, inputSchemaDefinition: Schema);

    public static float[] Flatten(IReadOnlyList<Row> rows)
    {
        var flat = new float[rows.Count * Width];
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].Features.CopyTo(flat, i * Width);
        }

        return flat;
    }

    private BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> TrainHead(
        IDataView data, string label, int trees)
    {
        var options = new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = label,
            FeatureColumnName = nameof(Row.Features),
            NumberOfTrees = trees,
            NumberOfLeaves = 20,
            MinimumExampleCountPerLeaf = 10,
            NumberOfThreads = 1,
        };
        return Ml.BinaryClassification.Trainers.FastTree(options).Fit(data);
    }

    private static Row MakeRow(Random random, double nanRate)
    {
        var x = new float[Width];
        for (int i = 0; i < Width; i++)
        {
            x[i] = i switch
            {
                < 8 => (float)((random.NextDouble() * 2) - 1),
                < 14 => random.Next(0, 8),
                < 17 => random.Next(0, 2),
                _ => (float)Math.Exp(random.NextDouble() * 12),
            };
        }

        double failLogit = (2.0 * x[0]) - (1.5 * x[1] * x[2]) + (x[8] >= 4 ? 1.2 : -0.6) + (0.4 * x[9]) - 1.4
            - (0.9 * x[14]) + Math.Sin(3 * x[3]) + (Math.Log(x[17]) > 6 ? 0.8 : 0) + (0.5 * x[10] * x[15]);
        double errorLogit = (1.5 * x[4]) + (x[11] == 3 ? 1.5 : -0.4) + (0.3 * x[12]) - 1.2 + (Math.Log(x[18]) / 4)
            - (x[16] * 0.7) + (x[5] * x[6]);
        var row = new Row
        {
            Features = x,
            Fail = random.NextDouble() < 1 / (1 + Math.Exp(-failLogit)),
            RuntimeError = random.NextDouble() < 1 / (1 + Math.Exp(-errorLogit)),
        };

        // Missing values: a few features of some rows become NaN.
        if (random.NextDouble() < nanRate)
        {
            int count = random.Next(1, 4);
            for (int k = 0; k < count; k++)
            {
                x[random.Next(Width)] = float.NaN;
            }
        }

        return row;
    }

    public sealed class Row
    {
        public float[] Features { get; set; } = [];

        public bool Fail { get; set; }

        public bool RuntimeError { get; set; }
    }

    public sealed class Prediction
    {
        public bool PredictedLabel { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }
    }
}
