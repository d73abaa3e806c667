using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// AutoTVM's XGBoost cost model on knob features, as the XGB baseline and ML²Tuner's ModelP use it: ranking trees
/// (<see cref="RankingCostModel"/>) on <see cref="KnobFeatures"/>, labels being GFLOPS normalised by the best observed
/// (failures 0), with other tasks' records (<see cref="AddHistory"/>) as ranking groups of their own.
/// </summary>
internal sealed class KnobCostModel(ConfigSpace space, int seed) : ICostModel
{
    private readonly RankingCostModel _model = new(seed);
    private readonly List<float[]> _priorXs = [];
    private readonly List<double> _priorYs = [];
    private readonly List<int> _priorGroups = [];

    /// <summary>
    /// Adds records of other tasks (or earlier runs) as training data, one ranking group per task, each task's GFLOPS
    /// normalised by its own best (tasks without a success are left out); true when any were added.
    /// </summary>
    public bool AddHistory(IEnumerable<IReadOnlyList<(float[] Features, double Gflops)>> tasks)
    {
        var group = 1;
        foreach (var task in tasks)
        {
            var best = task.Count == 0 ? 0 : task.Max(t => t.Gflops);
            if (best <= 1e-6)
            {
                continue;
            }

            foreach (var (features, gflops) in task)
            {
                _priorXs.Add(features);
                _priorYs.Add(gflops / best);
                _priorGroups.Add(group);
            }

            group++;
        }

        return _priorXs.Count > 0;
    }

    public bool Fit(IReadOnlyList<TrialOutcome> observations)
    {
        var best = observations.Count == 0 ? 0 : observations.Max(o => o.Succeeded ? o.Gflops : 0);
        var xs = new List<float[]>(_priorXs);
        var ys = new List<double>(_priorYs);
        var groups = new List<int>(_priorGroups);
        foreach (var observation in observations)
        {
            xs.Add(KnobFeatures.Of(observation.Configuration));
            ys.Add(best > 0 && observation.Succeeded ? observation.Gflops / best : 0);
            groups.Add(0);
        }

        if (ys.All(y => y <= 1e-6))
        {
            return false;
        }

        _model.Fit(xs, ys, groups);
        return true;
    }

    public double Predict(long index) => _model.Predict(KnobFeatures.Of(space.Get(index)));
}
