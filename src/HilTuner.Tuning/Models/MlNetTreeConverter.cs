using HilTuner.Onnx;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;

namespace HilTuner.Tuning.Models;

/// <summary>
/// ML.NET's FastTree models as plain trees (<see cref="RegressionTreeArrays"/>) that score exactly as ML.NET does:
/// what the ONNX writer exports and what the tuners evaluate in their inner loops. HilTuner.Onnx itself does not
/// depend on ML.NET; this is the bridge.
/// </summary>
public static class MlNetTreeConverter
{
    /// <summary>Converts <c>trainer.Fit(data).Model</c> of <c>BinaryClassification.Trainers.FastTree</c>.</summary>
    public static CalibratedTreeHead FromFastTreeBinary(
        string headName, CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var ensemble = model.SubModel.TrainedTreeEnsemble;
        var trees = ensemble.Trees.Select(ToArrays).ToList();

        // ML.NET scores a FastTree ensemble as the plain sum of the trees' leaf values: it does not apply
        // TreeEnsemble.TreeWeights or TreeEnsemble.Bias (FastTree leaves them at 1 and 0 anyway). Mirror that.
        return new CalibratedTreeHead(
            headName, trees, treeWeights: null, bias: 0, model.Calibrator.Slope, model.Calibrator.Offset);
    }

    /// <summary>The trees of a FastTree regression or ranking ensemble, scored as ML.NET scores them: the plain sum of leaves.</summary>
    public static RegressionTreeArrays[] FromEnsemble(TreeEnsemble<RegressionTree> ensemble) => ensemble.Trees.Select(ToArrays).ToArray();

    public static RegressionTreeArrays ToArrays(RegressionTree tree)
    {
        if (tree.CategoricalSplitFlags.Any(flag => flag))
        {
            throw new NotSupportedException("categorical splits are not supported; train without categorical splits");
        }

        // ML.NET scores a tree without splits as 0, whatever its leaf value holds.
        if (tree.NumberOfNodes == 0)
        {
            return RegressionTreeArrays.SingleLeaf(0);
        }

        return new RegressionTreeArrays(
            tree.LeftChild, tree.RightChild, tree.NumericalSplitFeatureIndexes, tree.NumericalSplitThresholds, tree.LeafValues);
    }
}
