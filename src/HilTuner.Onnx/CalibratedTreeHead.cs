namespace HilTuner.Onnx;

/// <summary>
/// One calibrated binary classifier: a weighted sum of regression trees plus a bias gives the raw score, and a Platt
/// calibrator turns it into a probability, <c>P = 1 / (1 + exp(PlattSlope · score + PlattOffset))</c>, with
/// <c>score = Bias + Σ TreeWeights[t] · Trees[t](x)</c> (ML.NET's <c>PlattCalibrator</c> convention; the slope of a
/// useful calibrator is negative).
/// </summary>
public sealed class CalibratedTreeHead
{
    private readonly RegressionTreeArrays[] _trees;
    private readonly double[] _treeWeights;

    /// <param name="name">The ONNX output name: a letter or '_' first, then letters, digits or '_' (e.g. "p_fail").</param>
    /// <param name="trees">The trees; none at all gives a constant score of <paramref name="bias"/>.</param>
    /// <param name="treeWeights">One weight per tree, or null for all 1.</param>
    /// <param name="bias">Added to the weighted tree sum.</param>
    /// <param name="plattSlope">Platt slope (ML.NET <c>PlattCalibrator.Slope</c>).</param>
    /// <param name="plattOffset">Platt offset (ML.NET <c>PlattCalibrator.Offset</c>).</param>
    public CalibratedTreeHead(
        string name,
        IEnumerable<RegressionTreeArrays> trees,
        IEnumerable<double>? treeWeights,
        double bias,
        double plattSlope,
        double plattOffset)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(trees);
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"head name '{name}' is not usable as an output name: use a letter or '_' first, then letters, digits or '_'",
                nameof(name));
        }

        if (name == OnnxTreeModelFormat.InputName)
        {
            throw new ArgumentException($"head name '{name}' is the input's name", nameof(name));
        }

        _trees = [.. trees];
        if (Array.IndexOf(_trees, null) >= 0)
        {
            throw new ArgumentException("a tree is null", nameof(trees));
        }

        _treeWeights = treeWeights is null ? Enumerable.Repeat(1.0, _trees.Length).ToArray() : [.. treeWeights];
        if (_treeWeights.Length != _trees.Length)
        {
            throw new ArgumentException(
                $"head '{name}' has {_trees.Length} trees but {_treeWeights.Length} tree weights", nameof(treeWeights));
        }

        if (!_treeWeights.All(double.IsFinite) || !double.IsFinite(bias) || !double.IsFinite(plattSlope) ||
            !double.IsFinite(plattOffset))
        {
            throw new ArgumentException($"head '{name}' has a non-finite weight, bias or calibrator parameter");
        }

        Name = name;
        Bias = bias;
        PlattSlope = plattSlope;
        PlattOffset = plattOffset;
    }

    public string Name { get; }

    public IReadOnlyList<RegressionTreeArrays> Trees => _trees;

    public IReadOnlyList<double> TreeWeights => _treeWeights;

    public double Bias { get; }

    public double PlattSlope { get; }

    public double PlattOffset { get; }

    /// <summary>The largest feature index any split reads, or -1 when no tree splits.</summary>
    public int MaxFeatureIndex => _trees.Length == 0 ? -1 : _trees.Max(t => t.MaxFeatureIndex);

    /// <summary>Reference evaluation in managed code (double precision): the raw score of one row.</summary>
    public double ComputeScore(ReadOnlySpan<float> features)
    {
        double score = Bias;
        for (int t = 0; t < _trees.Length; t++)
        {
            score += _treeWeights[t] * _trees[t].Evaluate(features);
        }

        return score;
    }

    /// <summary>Reference evaluation in managed code (double precision): the calibrated probability of one row.</summary>
    public double ComputeProbability(ReadOnlySpan<float> features) => Calibrate(ComputeScore(features));

    /// <summary>The Platt calibration of a raw score.</summary>
    public double Calibrate(double score) => 1.0 / (1.0 + Math.Exp((PlattSlope * score) + PlattOffset));

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
