using HilTuner.Tuning.Tuners;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class TreeEnsembleTests
{
    private const int Width = 7;

    [TestMethod]
    public void ScoresAgreeWithMlNetsPredictionEngine()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 400).Select(i =>
        {
            var x = Enumerable.Range(0, Width).Select(_ => (float)(1 << random.Next(6))).ToArray();
            var quality = Math.Log2(x[0]) * 2 - Math.Abs(Math.Log2(x[3]) - 3) + (x[5] > 8 ? 1 : 0);
            return new Row { Features = x, Label = (float)Math.Clamp(Math.Round(quality + 6), 0, 30), GroupId = (uint)(i / 134) + 1 };
        }).ToList();

        var ml = new MLContext(seed: 5);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var options = new FastTreeRankingTrainer.Options
        {
            NumberOfTrees = 40,
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 1,
            NumberOfThreads = 1,
            CustomGains = Enumerable.Range(0, 31).Select(g => (double)g).ToArray(),
        };
        var model = ml.Transforms.Conversion.MapValueToKey("GroupId").Append(ml.Ranking.Trainers.FastTree(options)).Fit(data);
        var ensemble = new TreeEnsemble(model.LastTransformer.Model.TrainedTreeEnsemble);

        var engine = ml.Model.CreatePredictionEngine<Row, Score>(model, inputSchemaDefinition: schema);
        var probes = rows.Take(100).Concat(Enumerable.Range(0, 100).Select(_ => new Row
        {
            Features = Enumerable.Range(0, Width).Select(_ => (float)random.Next(0, 70)).ToArray(),
            GroupId = 1,
        }));
        var distinct = new HashSet<float>();
        foreach (var probe in probes)
        {
            var expected = engine.Predict(probe).Value;
            var actual = ensemble.Score(probe.Features);
            Assert.AreEqual(expected, actual, 1e-5f * Math.Max(1, Math.Abs(expected)), $"features [{string.Join(", ", probe.Features)}]");
            distinct.Add(actual);
        }

        Assert.IsGreaterThan(20, distinct.Count, "the model should tell configurations apart");
    }

    private sealed class Row
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = [];

        public uint GroupId { get; set; }
    }

    private sealed class Score
    {
        [ColumnName("Score")]
        public float Value { get; set; }
    }
}
