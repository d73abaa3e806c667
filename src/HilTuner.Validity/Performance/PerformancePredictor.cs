using HilTuner.Compiler;
using HilTuner.Onnx;
using HilTuner.Vta.Config;

namespace HilTuner.Validity.Performance;

/// <summary>
/// A performance model file run with OnnxRuntime: predicted board seconds of compiled programs. Opening it checks that
/// it is a HilTuner performance model, that its inputs are program features this build computes, and that it was
/// trained for the board's VTA configuration. Used by <c>hiltuner model predict</c>, the edge predictor and, through
/// <see cref="Seconds(IReadOnlyList{float[]})"/>, any tuner that has <see cref="ProgramFeatures"/> rows. Not thread-safe.
/// </summary>
public sealed class PerformancePredictor : IDisposable
{
    private readonly MlpPredictor _predictor;
    private readonly int[] _columns;

    private PerformancePredictor(MlpPredictor predictor, int[] columns, string path)
    {
        _predictor = predictor;
        _columns = columns;
        Path = path;
    }

    public string Path { get; }

    public OnnxModelInfo Info => _predictor.Info;

    /// <summary>The network as the file holds it (its training-side evaluation, parameter count, inputs).</summary>
    public MlpRegressor Network => _predictor.Network;

    /// <summary>Whether a model file's metadata says it is a performance model.</summary>
    public static bool IsPerformanceModel(OnnxModelInfo info) =>
        info.Format == OnnxTreeModelFormat.MlpFormatValue && info.GetString(ValidityModelFormat.KindKey) == PerformanceModelFormat.Kind;

    /// <summary>Opens <paramref name="path"/> for <paramref name="board"/>; throws <see cref="PerformanceModelException"/> saying what is wrong.</summary>
    public static PerformancePredictor Open(string path, Board board)
    {
        MlpPredictor predictor;
        try
        {
            predictor = MlpPredictor.Open(path);
        }
        catch (OnnxModelException e)
        {
            throw new PerformanceModelException(e.Message, e);
        }

        try
        {
            var info = predictor.Info;
            if (!IsPerformanceModel(info))
            {
                throw new PerformanceModelException($"{path}: not a HilTuner performance model (its kind is {info.GetString(ValidityModelFormat.KindKey) ?? "not recorded"})");
            }

            var columns = PerformanceModelFormat.Columns(info.FeatureNames)
                ?? throw new PerformanceModelException($"{path}: its inputs ({string.Join(", ", info.FeatureNames)}) are not all program features this build computes; train it again with hiltuner model train-perf");
            var trainedFor = info.GetString(ValidityModelFormat.VtaConfigKey);
            if (trainedFor != board.Vta.ConfigString)
            {
                throw new PerformanceModelException(
                    $"{path}: trained for VTA configuration {trainedFor ?? "(none recorded)"}, but {board.Name} has {board.Vta.ConfigString}; train a model on logs of this configuration");
            }

            return new PerformancePredictor(predictor, columns, path);
        }
        catch
        {
            predictor.Dispose();
            throw;
        }
    }

    /// <summary>The predicted seconds of each <see cref="ProgramFeatures"/> row.</summary>
    public float[] Seconds(IReadOnlyList<float[]> programRows)
    {
        var width = _columns.Length;
        var rows = new float[programRows.Count * width];
        for (var i = 0; i < programRows.Count; i++)
        {
            PerformanceModelFormat.Select(programRows[i], _columns, rows.AsSpan(i * width, width));
        }

        return _predictor.Predict(rows);
    }

    /// <summary>The predicted seconds of one compiled program on <paramref name="board"/>.</summary>
    public double Seconds(VtaProgram program, Board board) => Seconds([ProgramFeatures.Of(program, board)])[0];

    /// <summary>The inputs of one <see cref="ProgramFeatures"/> row as the network takes them (for its training-side evaluation).</summary>
    public float[] Inputs(ReadOnlySpan<float> programRow)
    {
        var inputs = new float[_columns.Length];
        PerformanceModelFormat.Select(programRow, _columns, inputs);
        return inputs;
    }

    public void Dispose() => _predictor.Dispose();
}
