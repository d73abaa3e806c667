using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>AutoTVM's GridSearchTuner: configurations in index order.</summary>
public sealed class GridTuner(ConfigSpace space) : TunerBase(space, 0)
{
    private long _next;

    public override string Name => "grid";

    public override IReadOnlyList<Configuration> NextBatch(int count)
    {
        var batch = new List<Configuration>(count);
        while (batch.Count < count && _next < Space.Size)
        {
            if (Visited.Add(_next))
            {
                batch.Add(Space.Get(_next));
            }

            _next++;
        }

        return batch;
    }
}
