using HilTuner.Onnx;
using HilTuner.Tuning.Models;
using Microsoft.ML.Trainers.FastTree;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// A trained FastTree ensemble evaluated directly, as ML.NET scores it (the sum of the leaves each tree sends a row
/// to). Orders of magnitude cheaper per row than a prediction engine, which simulated annealing needs.
/// </summary>
internal sealed class TreeEnsemble(TreeEnsemble<RegressionTree> ensemble)
{
    private readonly RegressionTreeArrays[] _trees = MlNetTreeConverter.FromEnsemble(ensemble);

    public float Score(ReadOnlySpan<float> features)
    {
        var score = 0.0;
        foreach (var tree in _trees)
        {
            score += tree.Evaluate(features);
        }

        return (float)score;
    }
}
