using Microsoft.ML.OnnxRuntime;

namespace HilTuner.Onnx;

/// <summary>
/// A regression network file (<see cref="MlpRegressor"/>) run with OnnxRuntime, one session on one thread. Not
/// thread-safe: open one per thread.
/// </summary>
public sealed class MlpPredictor : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;

    private MlpPredictor(OnnxModelInfo info, MlpRegressor network, byte[] bytes)
    {
        Info = info;
        Network = network;
        _options = new SessionOptions
        {
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            _session = new InferenceSession(bytes, _options);
        }
        catch (OnnxRuntimeException e)
        {
            _options.Dispose();
            throw new OnnxModelException(info.Source, $"OnnxRuntime rejected it: {e.Message}", e);
        }
    }

    public OnnxModelInfo Info { get; }

    /// <summary>The same network read from the file, for its parameter count and scalers.</summary>
    public MlpRegressor Network { get; }

    /// <summary>Opens a network file; throws <see cref="OnnxModelException"/> naming the file and the problem.</summary>
    public static MlpPredictor Open(string path)
    {
        var bytes = OnnxTreeModelReader.ReadFile(path);
        var network = MlpRegressor.FromBytes(bytes, path);
        return new MlpPredictor(OnnxTreeModelReader.ReadInfo(bytes, path), network, bytes);
    }

    /// <summary>The predicted value of each row (<paramref name="rows"/> row-major, <see cref="OnnxModelInfo.FeatureCount"/> values each).</summary>
    public float[] Predict(float[] rows)
    {
        var width = Info.FeatureCount;
        if (rows.Length % width != 0)
        {
            throw new ArgumentException($"rows of {width} values expected, got {rows.Length} values", nameof(rows));
        }

        var count = rows.Length / width;
        var output = new float[count];
        if (count == 0)
        {
            return output;
        }

        using var input = OrtValue.CreateTensorValueFromMemory(rows, [count, width]);
        using var result = OrtValue.CreateTensorValueFromMemory(output, [count, 1]);
        using var run = new RunOptions();
        _session.Run(run, [OnnxTreeModelFormat.InputName], [input], [MlpRegressor.OutputName], [result]);
        return output;
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
