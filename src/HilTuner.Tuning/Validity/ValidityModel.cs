using System.Globalization;
using HilTuner.Compiler;
using HilTuner.Onnx;
using HilTuner.Tuning.Measure;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Validity;

/// <summary>
/// A validity model file run with OnnxRuntime: the gate of the measurement pipeline. Opening it checks that it
/// is a HilTuner validity model, that its inputs are the ones this build computes, and that it was trained for
/// the board's VTA configuration.
/// </summary>
public sealed class ValidityModel : IValidityGate, IFailurePredictor, IDisposable
{
    private readonly OnnxTreePredictor _predictor;
    private readonly int _failHead;
    private float[] _rows = [];
    private float[] _probabilities = [];

    private ValidityModel(OnnxTreePredictor predictor, string path, double threshold)
    {
        _predictor = predictor;
        Path = path;
        Threshold = threshold;
        _failHead = predictor.Info.IndexOfHead(ValidityModelFormat.FailHead);
    }

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public double Threshold { get; }

    public OnnxModelInfo Info => _predictor.Info;

    /// <summary>The VTA configuration the model was trained for.</summary>
    public string VtaConfig => Info.GetRequiredString(ValidityModelFormat.VtaConfigKey);

    /// <summary>
    /// Opens <paramref name="path"/> for <paramref name="board"/>; <paramref name="threshold"/> overrides the one the file
    /// carries. Throws <see cref="ValidityModelException"/> saying what is wrong.
    /// </summary>
    public static ValidityModel Open(string path, Board board, double? threshold = null)
    {
        var predictor = Open(path);
        try
        {
            var info = predictor.Info;
            if (info.GetString(ValidityModelFormat.KindKey) != ValidityModelFormat.Kind || info.IndexOfHead(ValidityModelFormat.FailHead) < 0)
            {
                throw new ValidityModelException($"{path}: not a HilTuner validity model (no {ValidityModelFormat.FailHead} head or kind metadata)");
            }

            if (!info.FeatureNames.SequenceEqual(ValidityFeatures.Names))
            {
                var firstDifference = Enumerable.Range(0, Math.Min(info.FeatureCount, ValidityFeatures.Count))
                    .FirstOrDefault(i => info.FeatureNames[i] != ValidityFeatures.Names[i], Math.Min(info.FeatureCount, ValidityFeatures.Count));
                throw new ValidityModelException(
                    $"{path}: its {info.FeatureCount} inputs are not the {ValidityFeatures.Count} this build computes (first difference at input {firstDifference}); train it again with hiltuner model train-validity");
            }

            var trainedFor = info.GetString(ValidityModelFormat.VtaConfigKey);
            if (trainedFor != board.Vta.ConfigString)
            {
                throw new ValidityModelException(
                    $"{path}: trained for VTA configuration {trainedFor ?? "(none recorded)"}, but {board.Name} has {board.Vta.ConfigString}; train a model on logs of this configuration");
            }

            var stored = double.TryParse(info.GetString(ValidityModelFormat.ThresholdKey), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : 0.5;
            return new ValidityModel(predictor, path, threshold ?? stored);
        }
        catch
        {
            predictor.Dispose();
            throw;
        }
    }

    /// <summary>Opens any validity model file without checking it against a board (for <c>model info</c>).</summary>
    public static OnnxTreePredictor Open(string path)
    {
        try
        {
            return OnnxTreePredictor.Open(path, new OnnxPredictorOptions { BatchSize = 256 });
        }
        catch (OnnxModelException e)
        {
            throw new ValidityModelException(e.Message, e);
        }
    }

    public IReadOnlyList<double> FailureProbabilities(Board board, IReadOnlyList<VtaProgram> programs)
    {
        var width = ValidityFeatures.Count;
        if (_rows.Length < programs.Count * width)
        {
            _rows = new float[programs.Count * width];
            _probabilities = new float[programs.Count * _predictor.HeadCount];
        }

        for (var i = 0; i < programs.Count; i++)
        {
            ValidityFeatures.Write(_rows.AsSpan(i * width, width), programs[i].Workload, programs[i].Configuration, board, programs[i].Features);
        }

        return FailureProbabilities(_rows.AsSpan(0, programs.Count * width), programs.Count);
    }

    /// <summary>Runs every head for rows of <see cref="ValidityFeatures"/>; the <c>p_fail</c> head's probabilities are returned.</summary>
    public double[] FailureProbabilities(ReadOnlySpan<float> rows, int count)
    {
        var heads = _predictor.HeadCount;
        var output = _probabilities.Length >= count * heads ? _probabilities : new float[count * heads];
        _predictor.Predict(rows, output.AsSpan(0, count * heads));
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = output[(i * heads) + _failHead];
        }

        return result;
    }

    public void Dispose() => _predictor.Dispose();
}
