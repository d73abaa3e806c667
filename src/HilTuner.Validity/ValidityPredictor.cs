using System.Globalization;
using HilTuner.Compiler;
using HilTuner.Onnx;
using HilTuner.Vta.Config;

namespace HilTuner.Validity;

/// <summary>
/// A validity model file run with OnnxRuntime (or, where OnnxRuntime has no native library, with the managed evaluator of
/// the same file: <see cref="OnnxPredictorOptions.Engine"/>). Opening it checks that it is a HilTuner validity model, that its
/// inputs are the ones this build computes (<see cref="ProgramFeatures"/>), and that it was trained for the board's
/// VTA configuration. Used by the tuner's gate and by the edge predictor alike. Not thread-safe (it reuses its
/// buffers): open one per thread.
/// </summary>
public sealed class ValidityPredictor : IDisposable
{
    private readonly ICalibratedTreePredictor _predictor;
    private readonly ICalibratedTreePredictor? _gate;
    private readonly int _failHead;
    private float[] _rows = [];
    private float[] _probabilities = [];

    private ValidityPredictor(ICalibratedTreePredictor predictor, ICalibratedTreePredictor? gate, string path, double threshold)
    {
        _predictor = predictor;
        _gate = gate;
        Path = path;
        Threshold = threshold;
        _failHead = predictor.Info.IndexOfHead(ValidityModelFormat.FailHead);
    }

    /// <summary>The options <see cref="Open"/> uses when given none: OnnxRuntime, batches of 256 rows for the gate.</summary>
    public static OnnxPredictorOptions DefaultOptions => new() { BatchSize = 256 };

    public string Path { get; }

    public double Threshold { get; }

    public OnnxModelInfo Info => _predictor.Info;

    /// <summary>The heads, <c>p_fail</c> first.</summary>
    public IReadOnlyList<string> Heads => _predictor.HeadNames;

    /// <summary>
    /// Opens <paramref name="path"/> for <paramref name="board"/>; <paramref name="threshold"/> overrides the one the file
    /// carries. Throws <see cref="ValidityModelException"/> saying what is wrong and what to do.
    /// </summary>
    public static ValidityPredictor Open(string path, Board board, double? threshold = null, OnnxPredictorOptions? options = null)
    {
        var info = ReadInfo(path);
        if (info.GetString(ValidityModelFormat.KindKey) != ValidityModelFormat.Kind || info.IndexOfHead(ValidityModelFormat.FailHead) < 0)
        {
            throw new ValidityModelException($"{path}: not a HilTuner validity model (no {ValidityModelFormat.FailHead} head or kind metadata)");
        }

        if (!info.FeatureNames.SequenceEqual(ProgramFeatures.Names))
        {
            var common = Math.Min(info.FeatureCount, ProgramFeatures.Count);
            var first = Enumerable.Range(0, common).FirstOrDefault(i => info.FeatureNames[i] != ProgramFeatures.Names[i], common);
            throw new ValidityModelException(
                $"{path}: its {info.FeatureCount} inputs are not the {ProgramFeatures.Count} this build computes (first difference at input {first}); train it again with hiltuner model train-validity");
        }

        var trainedFor = info.GetString(ValidityModelFormat.VtaConfigKey);
        if (trainedFor != board.Vta.ConfigString)
        {
            throw new ValidityModelException(
                $"{path}: trained for VTA configuration {trainedFor ?? "(none recorded)"}, but {board.Name} has {board.Vta.ConfigString}; train a model on logs of this configuration");
        }

        var stored = info.TryGetDouble(ValidityModelFormat.ThresholdKey, out var t) ? t : 0.5;
        try
        {
            // Every head for a person's question; the p_fail head alone for the gate's batches.
            var all = options ?? DefaultOptions;
            var predictor = CalibratedTreePredictor.Open(path, all with { BatchSize = 1, Parallelism = 1 });
            var gate = info.HeadNames.Count == 1 ? null : CalibratedTreePredictor.Open(path, all with { Heads = [ValidityModelFormat.FailHead] });
            return new ValidityPredictor(predictor, gate, path, threshold ?? stored);
        }
        catch (OnnxModelException e)
        {
            throw new ValidityModelException(e.Message, e);
        }
    }

    /// <summary>What a model file says about itself, without checking it against a board.</summary>
    public static OnnxModelInfo ReadInfo(string path)
    {
        try
        {
            return OnnxTreeModelReader.ReadInfo(path);
        }
        catch (OnnxModelException e)
        {
            throw new ValidityModelException(e.Message, e);
        }
    }

    /// <summary>The <c>p_fail</c> probability of each row (row-major, <see cref="ProgramFeatures.Count"/> values each).</summary>
    public double[] FailureProbabilities(ReadOnlySpan<float> rows, int count)
    {
        var result = new double[count];
        FailureProbabilities(rows, count, result);
        return result;
    }

    /// <summary>The <c>p_fail</c> probability of each row into <paramref name="probabilities"/>; nothing is allocated once warm.</summary>
    public void FailureProbabilities(ReadOnlySpan<float> rows, int count, Span<double> probabilities)
    {
        var predictor = _gate ?? _predictor;
        var heads = predictor.HeadCount;
        if (_probabilities.Length < count * heads)
        {
            _probabilities = new float[count * heads];
        }

        predictor.Predict(rows[..(count * ProgramFeatures.Count)], _probabilities.AsSpan(0, count * heads));
        var fail = _gate is null ? _failHead : 0;
        for (var i = 0; i < count; i++)
        {
            probabilities[i] = _probabilities[(i * heads) + fail];
        }
    }

    /// <summary>The <c>p_fail</c> probability of each program on <paramref name="board"/>.</summary>
    public double[] FailureProbabilities(Board board, IReadOnlyList<VtaProgram> programs)
    {
        var width = ProgramFeatures.Count;
        if (_rows.Length < programs.Count * width)
        {
            _rows = new float[programs.Count * width];
        }

        for (var i = 0; i < programs.Count; i++)
        {
            ProgramFeatures.Write(_rows.AsSpan(i * width, width), programs[i].Workload, programs[i].Configuration, board, programs[i].Features);
        }

        return FailureProbabilities(_rows, programs.Count);
    }

    /// <summary>Every head's probability for one program (for a person asking about one configuration).</summary>
    public IReadOnlyDictionary<string, double> HeadProbabilities(VtaProgram program, Board board)
    {
        var output = new float[_predictor.HeadCount];
        _predictor.PredictRow(ProgramFeatures.Of(program, board), output);
        return _predictor.HeadNames.Select((h, i) => KeyValuePair.Create(h, (double)output[i])).ToDictionary();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{System.IO.Path.GetFileName(Path)} (threshold {Threshold:F3})");

    public void Dispose()
    {
        _gate?.Dispose();
        _predictor.Dispose();
    }
}
