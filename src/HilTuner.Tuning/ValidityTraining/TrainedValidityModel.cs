using HilTuner.Compiler;
using HilTuner.Onnx;
using HilTuner.Tuning.Measure;
using Microsoft.ML;

using HilTuner.Validity;

namespace HilTuner.Tuning.ValidityTraining;

/// <summary>A freshly trained validity model: its trees and threshold, and the ML.NET model they came from.</summary>
public sealed class TrainedValidityModel : IValidityModel
{
    internal TrainedValidityModel(CalibratedTreeModel model, CrossValidation validation, MLContext ml, ITransformer mlNet)
    {
        Model = model;
        Validation = validation;
        MlContext = ml;
        MlNet = mlNet;
    }

    /// <summary>The heads as plain trees (what the ONNX file holds), with the metadata.</summary>
    public CalibratedTreeModel Model { get; }

    public string Name => "a validity model trained on other tasks";

    public double Threshold => Validation.Threshold;

    /// <summary>How the threshold was chosen and what the gate does at it on held-out folds.</summary>
    public CrossValidation Validation { get; }

    /// <summary>The ML.NET context and transformer of the <c>p_fail</c> head (for the ML.NET engine and benchmarks).</summary>
    public MLContext MlContext { get; }

    public ITransformer MlNet { get; }

    /// <summary>The probability of failure by the in-memory trees (the same arithmetic as the ONNX file).</summary>
    public double FailureProbability(ReadOnlySpan<float> features) => Model.GetHead(ValidityModelFormat.FailHead).ComputeProbability(features);

    public double[] FailureProbabilities(ReadOnlySpan<float> rows, int count)
    {
        var head = Model.GetHead(ValidityModelFormat.FailHead);
        var width = ProgramFeatures.Count;
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = head.ComputeProbability(rows.Slice(i * width, width));
        }

        return result;
    }

    /// <summary>Writes the ONNX file, and beside it the ML.NET model of the <c>p_fail</c> head.</summary>
    public void Save(string onnxPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(onnxPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        OnnxTreeModelWriter.WriteFile(Model, onnxPath);
        var schema = ValidityTrainer.ToDataView(MlContext, []).Schema;
        MlContext.Model.Save(MlNet, schema, ValidityModelFormat.MlNetPath(onnxPath));
    }
}
