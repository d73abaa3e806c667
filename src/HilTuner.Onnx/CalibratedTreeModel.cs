namespace HilTuner.Onnx;

/// <summary>
/// One or more calibrated tree heads over one shared feature vector of fixed width, with the feature names in order
/// and free string metadata chosen by the caller. Written to ONNX by <see cref="OnnxTreeModelWriter"/>.
/// </summary>
public sealed class CalibratedTreeModel
{
    private readonly string[] _featureNames;
    private readonly CalibratedTreeHead[] _heads;

    /// <param name="featureNames">The input's feature names in column order (non-empty, distinct).</param>
    /// <param name="heads">At least one head; head names must be distinct.</param>
    /// <param name="metadata">Caller metadata (key → value). Keys must be non-empty, distinct, and must not be one of
    /// <see cref="OnnxTreeModelFormat.ReservedMetadataKeys"/>.</param>
    public CalibratedTreeModel(
        IEnumerable<string> featureNames,
        IEnumerable<CalibratedTreeHead> heads,
        IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(heads);
        _featureNames = [.. featureNames];
        _heads = [.. heads];

        if (_featureNames.Length == 0)
        {
            throw new ArgumentException("a model needs at least one feature", nameof(featureNames));
        }

        var seenFeatures = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < _featureNames.Length; i++)
        {
            if (string.IsNullOrEmpty(_featureNames[i]))
            {
                throw new ArgumentException($"feature {i} has no name", nameof(featureNames));
            }

            if (!seenFeatures.Add(_featureNames[i]))
            {
                throw new ArgumentException($"feature name '{_featureNames[i]}' appears twice", nameof(featureNames));
            }
        }

        if (_heads.Length == 0)
        {
            throw new ArgumentException("a model needs at least one head", nameof(heads));
        }

        var seenHeads = new HashSet<string>(StringComparer.Ordinal);
        foreach (var head in _heads)
        {
            ArgumentNullException.ThrowIfNull(head, nameof(heads));
            if (!seenHeads.Add(head.Name))
            {
                throw new ArgumentException($"head name '{head.Name}' appears twice", nameof(heads));
            }

            if (head.MaxFeatureIndex >= _featureNames.Length)
            {
                throw new ArgumentException(
                    $"head '{head.Name}' splits on feature {head.MaxFeatureIndex} but the model has {_featureNames.Length} features",
                    nameof(heads));
            }
        }

        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? [])
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException("a metadata key is empty", nameof(metadata));
            }

            if (OnnxTreeModelFormat.ReservedMetadataKeys.Contains(key))
            {
                throw new ArgumentException($"metadata key '{key}' is reserved by the file format", nameof(metadata));
            }

            ArgumentNullException.ThrowIfNull(value, nameof(metadata));
            if (!table.TryAdd(key, value))
            {
                throw new ArgumentException($"metadata key '{key}' appears twice", nameof(metadata));
            }
        }

        Metadata = table;
    }

    public IReadOnlyList<string> FeatureNames => _featureNames;

    public int FeatureCount => _featureNames.Length;

    public IReadOnlyList<CalibratedTreeHead> Heads => _heads;

    /// <summary>The caller's metadata (reserved format keys are not part of it).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public CalibratedTreeHead GetHead(string name) =>
        _heads.FirstOrDefault(h => h.Name == name) ?? throw new KeyNotFoundException($"no head named '{name}'");
}
