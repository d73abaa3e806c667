namespace HilTuner.Tuning.Tuners;

/// <summary>
/// AutoTVM's <c>XGBoostCostModel</c> with the rank loss: <see cref="RankingCostModel"/> on a configuration's features
/// (<see cref="XgbFeatureKind"/>), labels being GFLOPS over the best observed (failures 0). Transfer learning as
/// AutoTVM's <c>load_history</c> does it: a base model fitted on the history records (<see cref="FitHistory"/>: at least
/// <see cref="MinSeedRecords"/> of them, labels over their overall best), whose score, discounted by
/// 1 / 2^(samples / 64), is the base margin of every later fit and prediction until the discount falls below 0.05.
/// </summary>
internal sealed class XgbCostModel(Func<long, float[]> features, int seed, int planSize) : ICostModel
{
    /// <summary>AutoTVM's <c>min_seed_records</c>: fewer history records train no base model.</summary>
    public const int MinSeedRecords = 500;

    private RankingCostModel? _model;
    private RankingCostModel? _base;
    private int _sampleSize;

    /// <summary>AutoTVM's <c>fit_log</c>: the base model from history rows and their GFLOPS; false with too few records.</summary>
    public bool FitHistory(IReadOnlyList<(float[] Row, double Gflops)> records)
    {
        var best = records.Count == 0 ? 0 : records.Max(r => r.Gflops);
        if (records.Count < MinSeedRecords || best <= 1e-6)
        {
            return false;
        }

        var model = new RankingCostModel(seed);
        model.Fit(records.Select(r => r.Row).ToList(), records.Select(r => r.Gflops / best).ToList(), null, 2 * planSize, maxRounds: 400, stoppingRounds: 100);
        _base = model;
        return true;
    }

    public bool Fit(IReadOnlyList<TrialOutcome> observations)
    {
        var ys = observations.Select(o => o.Succeeded ? o.Gflops : 0).ToList();
        var best = ys.Count == 0 ? 0 : ys.Max();
        if (best <= 1e-6)
        {
            return false;
        }

        var xs = observations.Select(o => features(o.Configuration.Index)).ToList();
        _sampleSize = xs.Count;
        if (_base is not null && Discount < 0.05)
        {
            _base = null;
        }

        var model = new RankingCostModel(seed);
        model.Fit(xs, ys.Select(y => y / best).ToList(), _base is { } b ? xs.Select(x => Discount * b.Predict(x)).ToList() : null, planSize);
        _model = model;
        return true;
    }

    /// <summary>The score; before the first fit, the base model's alone (AutoTVM plans its first batch from it).</summary>
    public double Predict(long index)
    {
        var row = features(index);
        return _model is null
            ? _base?.Predict(row) ?? throw new InvalidOperationException("the cost model is not trained yet")
            : _model.Predict(row) + (_base is { } b ? Discount * b.Predict(row) : 0);
    }

    private double Discount => 1.0 / Math.Pow(2, _sampleSize / 64.0);
}

/// <summary>What AutoTVM's cost model sees of a configuration (its <c>feature_type</c>).</summary>
public enum XgbFeatureKind
{
    /// <summary>Our <c>itervar</c>: the program's features without the timing estimate (<see cref="XgbFeatures.Program"/>).</summary>
    Program,

    /// <summary>AutoTVM's <c>knob</c>: the knob values (<see cref="KnobFeatures"/>).</summary>
    Knob,
}
