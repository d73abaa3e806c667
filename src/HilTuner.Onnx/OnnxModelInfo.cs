using System.Globalization;
using System.Numerics;

namespace HilTuner.Onnx;

/// <summary>What a HilTuner calibrated tree-ensemble ONNX file says about itself (read without OnnxRuntime).</summary>
public sealed class OnnxModelInfo
{
    private readonly string[] _featureNames;
    private readonly string[] _headNames;

    internal OnnxModelInfo(
        string source,
        string[] featureNames,
        string[] headNames,
        IReadOnlyDictionary<string, string> metadata,
        string producerName,
        string docString,
        long irVersion,
        IReadOnlyDictionary<string, long> opsets)
    {
        Source = source;
        _featureNames = featureNames;
        _headNames = headNames;
        Metadata = metadata;
        ProducerName = producerName;
        DocString = docString;
        IrVersion = irVersion;
        Opsets = opsets;
    }

    /// <summary>The file path, or the display name given for an in-memory model.</summary>
    public string Source { get; }

    public IReadOnlyList<string> FeatureNames => _featureNames;

    public int FeatureCount => _featureNames.Length;

    /// <summary>The heads (graph outputs) in output order.</summary>
    public IReadOnlyList<string> HeadNames => _headNames;

    /// <summary>The caller's metadata as written (the format's own keys are not included).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public string ProducerName { get; }

    public string DocString { get; }

    public long IrVersion { get; }

    /// <summary>The file's format: <see cref="OnnxTreeModelFormat.FormatValue"/> (trees) or <see cref="OnnxTreeModelFormat.MlpFormatValue"/> (a network).</summary>
    public string Format { get; init; } = OnnxTreeModelFormat.FormatValue;

    /// <summary>Imported opsets: domain ("" for the default ONNX domain) → version.</summary>
    public IReadOnlyDictionary<string, long> Opsets { get; }

    /// <summary>The index of a head in <see cref="HeadNames"/>, or -1.</summary>
    public int IndexOfHead(string name) => Array.IndexOf(_headNames, name);

    /// <summary>The value of a metadata key, or null when absent.</summary>
    public string? GetString(string key) => Metadata.TryGetValue(key, out string? value) ? value : null;

    /// <exception cref="OnnxModelException">The key is absent.</exception>
    public string GetRequiredString(string key) =>
        GetString(key) ?? throw new OnnxModelException(Source, $"metadata key '{key}' is missing");

    /// <summary>Reads a metadata value written with the invariant culture (e.g. <c>0.5.ToString("R", CultureInfo.InvariantCulture)</c>).</summary>
    public bool TryGetDouble(string key, out double value) => TryGetNumber(key, NumberStyles.Float, out value);

    /// <exception cref="OnnxModelException">The key is absent or its value is not a number.</exception>
    public double GetDouble(string key) => GetNumber<double>(key, NumberStyles.Float, "a number");

    public bool TryGetInt64(string key, out long value) => TryGetNumber(key, NumberStyles.Integer, out value);

    /// <exception cref="OnnxModelException">The key is absent or its value is not an integer.</exception>
    public long GetInt64(string key) => GetNumber<long>(key, NumberStyles.Integer, "an integer");

    private bool TryGetNumber<T>(string key, NumberStyles style, out T value)
        where T : INumberBase<T>
    {
        value = T.Zero;
        string? text = GetString(key);
        return text is not null && T.TryParse(text, style, CultureInfo.InvariantCulture, out value!);
    }

    private T GetNumber<T>(string key, NumberStyles style, string what)
        where T : INumberBase<T>
    {
        string text = GetRequiredString(key);
        return T.TryParse(text, style, CultureInfo.InvariantCulture, out T? value)
            ? value
            : throw new OnnxModelException(Source, $"metadata key '{key}' holds '{text}', not {what}");
    }

    /// <summary>Checks the model's input width.</summary>
    /// <exception cref="OnnxModelException">The model has another number of features.</exception>
    public void EnsureFeatureCount(int expected)
    {
        if (expected != FeatureCount)
        {
            throw new OnnxModelException(
                Source, $"the model takes {FeatureCount} features but {expected} were expected");
        }
    }

    /// <summary>
    /// Checks that the model's features are exactly <paramref name="expected"/>, in the same order, so that rows built
    /// by the caller line up with the columns the model was trained on.
    /// </summary>
    /// <exception cref="OnnxModelException">The count or a name differs; the message says where.</exception>
    public void EnsureFeatureNames(IReadOnlyList<string> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        int common = Math.Min(expected.Count, FeatureCount);
        int firstDifference = -1;
        for (int i = 0; i < common; i++)
        {
            if (!string.Equals(expected[i], _featureNames[i], StringComparison.Ordinal))
            {
                firstDifference = i;
                break;
            }
        }

        if (expected.Count != FeatureCount)
        {
            string where = firstDifference >= 0
                ? $"; the first difference is at column {firstDifference}: model '{_featureNames[firstDifference]}', expected '{expected[firstDifference]}'"
                : expected.Count > FeatureCount
                    ? $"; the model lacks '{expected[FeatureCount]}' and what follows"
                    : $"; the model has the extra feature '{_featureNames[expected.Count]}' and what follows";
            throw new OnnxModelException(
                Source, $"the model takes {FeatureCount} features but {expected.Count} were expected{where}");
        }

        if (firstDifference >= 0)
        {
            throw new OnnxModelException(
                Source,
                $"feature {firstDifference} is '{_featureNames[firstDifference]}' in the model but '{expected[firstDifference]}' was expected");
        }
    }

    /// <summary>Checks that every head in <paramref name="expected"/> is an output of the model.</summary>
    /// <exception cref="OnnxModelException">A head is missing.</exception>
    public void EnsureHeads(IEnumerable<string> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        foreach (string head in expected)
        {
            if (IndexOfHead(head) < 0)
            {
                throw new OnnxModelException(
                    Source, $"the model has no head '{head}' (its heads: {string.Join(", ", _headNames)})");
            }
        }
    }
}
