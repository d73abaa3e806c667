namespace HilTuner.Tuning.Tuners;

/// <summary>A model-based tuner's search over its cost model (AutoTVM's <c>ModelOptimizer</c>).</summary>
public interface IModelOptimizer
{
    /// <summary>Up to <paramref name="num"/> configuration indices not in <paramref name="exclude"/> scoring highest, best first.</summary>
    IReadOnlyList<long> FindMaximums(Func<long, double> score, int num, IReadOnlySet<long> exclude);
}
