using System.Runtime.ExceptionServices;
using Microsoft.ML.OnnxRuntime;

namespace HilTuner.Onnx;

/// <summary>
/// Runs a HilTuner calibrated tree-ensemble ONNX model with OnnxRuntime over batches of rows. Input and output
/// buffers are allocated once per lane (pinned) and bound to OnnxRuntime as <see cref="OrtValue"/>s; a large call is
/// split across lanes that run concurrently on one shared <see cref="InferenceSession"/>.
/// </summary>
/// <remarks>
/// Thread safety: every public member may be called from any thread; calls to <see cref="Predict(ReadOnlySpan{float}, Span{float})"/>
/// are serialised on one lock (each call already uses <see cref="OnnxPredictorOptions.Parallelism"/> threads).
/// </remarks>
public sealed class OnnxTreePredictor : ICalibratedTreePredictor
{
    private readonly Lock _gate = new();
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly string[] _inputNames = [OnnxTreeModelFormat.InputName];
    private readonly string[] _outputNames;
    private readonly Lane[] _lanes;
    private readonly int _minRowsPerLane;
    private bool _disposed;

    private OnnxTreePredictor(OnnxModelInfo info, byte[] modelBytes, OnnxPredictorOptions options)
    {
        Info = info;
        BatchSize = options.BatchSize;
        _minRowsPerLane = options.MinRowsPerLane;
        _outputNames = [.. options.Heads ?? info.HeadNames];
        foreach (var head in _outputNames.Where(h => info.IndexOfHead(h) < 0))
        {
            throw new OnnxModelException(info.Source, $"it has no head '{head}' (heads: {string.Join(", ", info.HeadNames)})");
        }

        if (options.Heads is not null)
        {
            modelBytes = OnnxGraphPruner.KeepOutputs(modelBytes, _outputNames);
        }

        _sessionOptions = new SessionOptions
        {
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = options.EffectiveIntraOpThreads,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        _sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");

        try
        {
            _session = new InferenceSession(modelBytes, _sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            _sessionOptions.Dispose();
            throw new OnnxModelException(info.Source, $"OnnxRuntime rejected it: {e.Message}", e);
        }

        _lanes = new Lane[options.EffectiveParallelism];
        for (int l = 0; l < _lanes.Length; l++)
        {
            _lanes[l] = new Lane(this);
        }
    }

    /// <summary>The model's metadata, feature names and heads.</summary>
    public OnnxModelInfo Info { get; }

    public int FeatureCount => Info.FeatureCount;

    public int HeadCount => _outputNames.Length;

    /// <summary>The heads in the order of the values per row in <see cref="Predict(ReadOnlySpan{float}, Span{float})"/>.</summary>
    public IReadOnlyList<string> HeadNames => _outputNames;

    /// <summary>The most rows per OnnxRuntime call (<see cref="OnnxPredictorOptions.BatchSize"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Lanes that may run at once (<see cref="OnnxPredictorOptions.Parallelism"/>).</summary>
    public int Parallelism => _lanes.Length;

    /// <summary>Opens the model file at <paramref name="path"/>.</summary>
    /// <exception cref="OnnxModelException">The file is missing, damaged, not such a model, or rejected by OnnxRuntime.</exception>
    public static OnnxTreePredictor Open(string path, OnnxPredictorOptions? options = null)
    {
        options ??= new OnnxPredictorOptions();
        options.Validate();
        byte[] bytes = OnnxTreeModelReader.ReadFile(path);
        return new OnnxTreePredictor(OnnxTreeModelReader.ReadInfo(bytes, path), bytes, options);
    }

    /// <summary>Opens a model held in memory; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="OnnxModelException">The bytes are damaged, not such a model, or rejected by OnnxRuntime.</exception>
    public static OnnxTreePredictor Load(byte[] modelBytes, string sourceName, OnnxPredictorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        options ??= new OnnxPredictorOptions();
        options.Validate();
        return new OnnxTreePredictor(OnnxTreeModelReader.ReadInfo(modelBytes, sourceName), modelBytes, options);
    }

    /// <summary>
    /// Predicts every head for <c>rows.Length / FeatureCount</c> rows given row-major in <paramref name="rows"/>.
    /// <paramref name="probabilities"/> receives row-major values, <c>[row * HeadCount + head]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The row buffer is not a whole number of rows, or the output is too small.</exception>
    public unsafe void Predict(ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        int features = FeatureCount;
        int rowCount = CalibratedTreePredictor.RowCount(this, rows, probabilities);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (rowCount == 0)
            {
                return;
            }

            int lanes = Math.Clamp(rowCount / _minRowsPerLane, 1, _lanes.Length);
            if (lanes == 1)
            {
                _lanes[0].Run(rows, probabilities, rowCount, BatchSize);
                return;
            }

            // Chunks of at most BatchSize rows, at least one per lane, dealt round-robin to the lanes.
            int chunk = Math.Min(BatchSize, (rowCount + lanes - 1) / lanes);
            int chunks = (rowCount + chunk - 1) / chunk;
            fixed (float* input = rows)
            fixed (float* output = probabilities)
            {
                nint inputAddress = (nint)input, outputAddress = (nint)output;
                try
                {
                    Parallel.For(0, lanes, lane =>
                    {
                        for (int c = lane; c < chunks; c += lanes)
                        {
                            int start = c * chunk;
                            int count = Math.Min(chunk, rowCount - start);
                            var laneRows = new ReadOnlySpan<float>((float*)inputAddress + ((long)start * features), count * features);
                            var laneOutput = new Span<float>((float*)outputAddress + ((long)start * HeadCount), count * HeadCount);
                            _lanes[lane].Run(laneRows, laneOutput, count, chunk);
                        }
                    });
                }
                catch (AggregateException e) when (e.InnerExceptions.Count == 1)
                {
                    ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
            }
        }
    }

    /// <summary>Predicts every head for row-major <paramref name="rows"/>; returns <c>[row * HeadCount + head]</c>.</summary>
    public float[] Predict(ReadOnlySpan<float> rows)
    {
        var probabilities = new float[rows.Length / FeatureCount * HeadCount];
        Predict(rows, probabilities);
        return probabilities;
    }

    /// <summary>Predicts every head for one row; <paramref name="headProbabilities"/> gets one value per head.</summary>
    public void PredictRow(ReadOnlySpan<float> row, Span<float> headProbabilities)
    {
        CalibratedTreePredictor.CheckRow(this, row);
        Predict(row, headProbabilities);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var lane in _lanes)
            {
                lane.Dispose();
            }

            _session.Dispose();
            _sessionOptions.Dispose();
        }
    }

    /// <summary>One thread's buffers: pinned input and per-head outputs, with OrtValues bound over them.</summary>
    private sealed class Lane : IDisposable
    {
        private readonly OnnxTreePredictor _owner;
        private readonly RunOptions _runOptions = new();
        private readonly float[] _input;
        private readonly float[][] _outputs;
        private BoundBatch? _full;
        private BoundBatch? _partial;

        public Lane(OnnxTreePredictor owner)
        {
            _owner = owner;
            _input = GC.AllocateArray<float>(owner.BatchSize * owner.FeatureCount, pinned: true);
            _outputs = new float[owner.HeadCount][];
            for (int h = 0; h < _outputs.Length; h++)
            {
                _outputs[h] = GC.AllocateArray<float>(owner.BatchSize, pinned: true);
            }
        }

        /// <summary>Evaluates <paramref name="rowCount"/> rows in calls of at most <paramref name="batch"/> rows.</summary>
        public void Run(ReadOnlySpan<float> rows, Span<float> probabilities, int rowCount, int batch)
        {
            int features = _owner.FeatureCount;
            int heads = _owner.HeadCount;
            for (int start = 0; start < rowCount; start += batch)
            {
                int count = Math.Min(batch, rowCount - start);
                rows.Slice(start * features, count * features).CopyTo(_input);
                var bound = Bind(count);
                _owner._session.Run(_runOptions, _owner._inputNames, bound.Inputs, _owner._outputNames, bound.Outputs);

                var target = probabilities.Slice(start * heads, count * heads);
                if (heads == 1)
                {
                    _outputs[0].AsSpan(0, count).CopyTo(target);
                    continue;
                }

                for (int h = 0; h < heads; h++)
                {
                    float[] output = _outputs[h];
                    for (int r = 0, i = h; r < count; r++, i += heads)
                    {
                        target[i] = output[r];
                    }
                }
            }
        }

        public void Dispose()
        {
            _partial?.Dispose();
            _full?.Dispose();
            _runOptions.Dispose();
        }

        private BoundBatch Bind(int rows)
        {
            if (rows == _owner.BatchSize)
            {
                return _full ??= new BoundBatch(_input, _outputs, rows, _owner.FeatureCount);
            }

            if (_partial?.Rows != rows)
            {
                _partial?.Dispose();
                _partial = null;
                _partial = new BoundBatch(_input, _outputs, rows, _owner.FeatureCount);
            }

            return _partial;
        }
    }

    /// <summary>OrtValues over the first <see cref="Rows"/> rows of a lane's pinned buffers.</summary>
    private sealed class BoundBatch : IDisposable
    {
        public BoundBatch(float[] input, float[][] outputs, int rows, int features)
        {
            Rows = rows;
            Inputs = new OrtValue[1];
            Outputs = new OrtValue[outputs.Length];
            try
            {
                Inputs[0] = OrtValue.CreateTensorValueFromMemory(
                    OrtMemoryInfo.DefaultInstance, new Memory<float>(input, 0, rows * features), [rows, features]);
                for (int h = 0; h < outputs.Length; h++)
                {
                    Outputs[h] = OrtValue.CreateTensorValueFromMemory(
                        OrtMemoryInfo.DefaultInstance, new Memory<float>(outputs[h], 0, rows), [rows, 1L]);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public int Rows { get; }

        public OrtValue[] Inputs { get; }

        public OrtValue[] Outputs { get; }

        public void Dispose()
        {
            foreach (var value in Inputs.Concat(Outputs))
            {
                value?.Dispose();
            }
        }
    }
}
