using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// The performance model of the XGB baseline: gradient-boosted regression trees trained with a ranking
/// objective (ML.NET's FastTree LambdaRank) on knob features, labels being GFLOPS normalised by the best seen
/// (failures 0). Only the order of its scores means anything.
/// </summary>
/// <remarks>
/// Differences from AutoTVM's XGBoost model, and why:
/// <list type="bullet">
/// <item>XGBoost's <c>rank:pairwise</c> learns from pairs of rows with different labels, sampled (one partner
/// per row and round in the XGBoost releases AutoTVM used); LambdaRank weighs pairs by their effect on NDCG and
/// needs graded relevance, so labels are quantised to 0…<see cref="Grades"/> with linear gains. LambdaRank takes
/// every pair of a group, which is quadratic; a group larger than <c>maxGroupSize</c> rows is dealt at random
/// into sub-groups, so each fit learns from a random sample of the pairs, as XGBoost does.</item>
/// <item>XGBoost trains up to 8000 rounds with early stopping on training recall; here a fixed number of trees
/// of the same depth (8 leaves = XGBoost's <c>max_depth</c> 3) and learning rate (0.3) is grown.</item>
/// <item>Rows can be grouped: ranking is learnt within each group, which lets records of other tasks help
/// without being compared to this one's.</item>
/// </list>
/// </remarks>
internal sealed class RankingCostModel(int seed, int trees = 100, int leaves = 8, double learningRate = 0.3, int maxGroupSize = 128)
{
    /// <summary>Relevance grades the normalised GFLOPS are quantised to.</summary>
    public const int Grades = 30;

    private TreeEnsemble? _ensemble;

    public bool IsTrained => _ensemble is not null;

    /// <summary>Trains on <paramref name="features"/> with labels in [0, 1] (GFLOPS / best), rows grouped by <paramref name="groups"/>.</summary>
    public void Fit(IReadOnlyList<float[]> features, IReadOnlyList<double> labels, IReadOnlyList<int> groups)
    {
        var width = features[0].Length;

        // Large groups are dealt at random into sub-groups of at most maxGroupSize rows (see the remarks). ML.NET
        // takes a group to be a run of consecutive rows with one group id, so rows are ordered by sub-group.
        var shuffle = new Random(seed);
        var order = Enumerable.Range(0, features.Count).OrderBy(_ => shuffle.Next()).ToArray();
        var groupSizes = groups.GroupBy(g => g).ToDictionary(g => g.Key, g => g.Count());
        var dealt = new Dictionary<int, int>();
        var rows = new Row[features.Count];
        uint nextId = 1;
        var subGroupIds = new Dictionary<(int Group, int Sub), uint>();
        foreach (var i in order)
        {
            var group = groups[i];
            var subGroups = (groupSizes[group] + maxGroupSize - 1) / maxGroupSize;
            var position = dealt.GetValueOrDefault(group);
            dealt[group] = position + 1;
            var key = (group, position % subGroups);
            if (!subGroupIds.TryGetValue(key, out var id))
            {
                subGroupIds[key] = id = nextId++;
            }

            rows[i] = new Row { Features = features[i], Label = (float)Math.Round(Math.Clamp(labels[i], 0, 1) * Grades), GroupId = id };
        }

        Array.Sort(rows, (a, b) => a.GroupId.CompareTo(b.GroupId));
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var options = new FastTreeRankingTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = nameof(Row.Features),
            RowGroupColumnName = nameof(Row.GroupId),
            NumberOfTrees = trees,
            NumberOfLeaves = leaves,
            MinimumExampleCountPerLeaf = 1,
            LearningRate = learningRate,
            NumberOfThreads = 1,
            CustomGains = Enumerable.Range(0, Grades + 1).Select(g => (double)g).ToArray(),
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey(nameof(Row.GroupId))
            .Append(ml.Ranking.Trainers.FastTree(options));
        var model = pipeline.Fit(data);
        _ensemble = new TreeEnsemble(model.LastTransformer.Model.TrainedTreeEnsemble);
    }

    public float Predict(ReadOnlySpan<float> features) =>
        _ensemble?.Score(features) ?? throw new InvalidOperationException("the model is not trained yet");

    private sealed class Row
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = [];

        public uint GroupId { get; set; }
    }
}
