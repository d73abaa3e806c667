using Microsoft.ML.Trainers.FastTree;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// A trained FastTree ensemble evaluated directly: score = bias + Σ weightₜ · leaf of tree t, going left when
/// a feature is at most its threshold (ML.NET's rule). Orders of magnitude cheaper per row than a prediction
/// engine, which simulated annealing needs.
/// </summary>
internal sealed class TreeEnsemble
{
    private readonly Tree[] _trees;
    private readonly double _bias;

    public TreeEnsemble(TreeEnsemble<RegressionTree> ensemble)
    {
        _bias = ensemble.Bias;
        _trees = ensemble.Trees.Select((t, i) => new Tree(
            t.LeftChild.ToArray(), t.RightChild.ToArray(), t.NumericalSplitFeatureIndexes.ToArray(),
            t.NumericalSplitThresholds.ToArray(), t.LeafValues.ToArray(), ensemble.TreeWeights[i])).ToArray();
    }

    public float Score(ReadOnlySpan<float> features)
    {
        var score = _bias;
        foreach (var tree in _trees)
        {
            var node = 0;
            if (tree.Left.Length > 0)
            {
                while (node >= 0)
                {
                    node = features[tree.Feature[node]] <= tree.Threshold[node] ? tree.Left[node] : tree.Right[node];
                }
            }
            else
            {
                node = ~0;
            }

            score += tree.Weight * tree.Leaves[~node];
        }

        return (float)score;
    }

    private sealed record Tree(int[] Left, int[] Right, int[] Feature, float[] Threshold, double[] Leaves, double Weight);
}
