using HilTuner.IO;
using HilTuner.Compiler;
using HilTuner.Validity;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HilTuner.Tuning.ValidityTraining;

/// <summary>
/// The ML.NET form of a validity model's <c>p_fail</c> head, kept beside its ONNX file: for <c>--engine mlnet</c>
/// (comparing the two engines on one configuration) and for the gate benchmark.
/// </summary>
public sealed class MlNetValidityModel
{
    private readonly MLContext _ml;
    private readonly SchemaDefinition _schema;

    private MlNetValidityModel(MLContext ml, ITransformer transformer)
    {
        _ml = ml;
        Transformer = transformer;
        _schema = SchemaDefinition.Create(typeof(ValidityRow));
        _schema[nameof(ValidityRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ProgramFeatures.Count);
    }

    public ITransformer Transformer { get; }

    /// <summary>The ML.NET model written beside <paramref name="onnxPath"/>.</summary>
    public static MlNetValidityModel Load(string onnxPath)
    {
        var path = ValidityModelFormat.MlNetPath(onnxPath);
        if (!File.Exists(path))
        {
            throw new ValidityModelException($"{path}: missing — the ML.NET form of {onnxPath} is written beside it by hiltuner model train-validity");
        }

        var ml = new MLContext();
        try
        {
            InputFile.Check(path, 256 * InputFile.MiB);
            return new MlNetValidityModel(ml, ml.Model.Load(path, out _));
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or IOException or InvalidDataException)
        {
            throw new ValidityModelException($"{path}: not a readable ML.NET model ({e.Message})", e);
        }
    }

    /// <summary>A trained model's ML.NET form, without a file.</summary>
    public static MlNetValidityModel From(TrainedValidityModel model) => new(model.MlContext, model.MlNet);

    /// <summary>A reusable ML.NET prediction engine (one row at a time; not thread-safe).</summary>
    public PredictionEngine<ValidityRow, ValidityPrediction> CreateEngine() =>
        _ml.Model.CreatePredictionEngine<ValidityRow, ValidityPrediction>(Transformer, inputSchemaDefinition: _schema);

    /// <summary>The probability of failure of one row, by a fresh prediction engine.</summary>
    public double FailureProbability(float[] row) => CreateEngine().Predict(new ValidityRow { Features = row }).Probability;

    /// <summary>Probabilities of many rows through ML.NET's batch <c>Transform</c>.</summary>
    public float[] Transform(IReadOnlyList<float[]> rows)
    {
        var data = _ml.Data.LoadFromEnumerable(rows.Select(r => new ValidityRow { Features = r }), _schema);
        return _ml.Data.CreateEnumerable<ValidityPrediction>(Transformer.Transform(data), reuseRowObject: true).Select(p => p.Probability).ToArray();
    }
}
