using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>AutoTVM's RandomTuner: uniformly random configurations, never one twice.</summary>
public sealed class RandomTuner(ConfigSpace space, int seed) : TunerBase(space, seed)
{
    public override string Name => "random";

    public override IReadOnlyList<Configuration> NextBatch(int count)
    {
        var batch = new List<Configuration>(count);
        while (batch.Count < count && HasNext)
        {
            var index = RandomUnvisited();
            Visited.Add(index);
            batch.Add(Space.Get(index));
        }

        return batch;
    }
}
