using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>What every tuner keeps: the space, the configurations proposed or seen, and a seeded random source.</summary>
public abstract class TunerBase(ConfigSpace space, int seed) : ITuner
{
    protected ConfigSpace Space { get; } = space;
    protected Random Random { get; } = new(seed);
    protected HashSet<long> Visited { get; } = [];

    public abstract string Name { get; }

    public virtual bool HasNext => Visited.Count < Space.Size;

    public abstract IReadOnlyList<Configuration> NextBatch(int count);

    public virtual void Update(IReadOnlyList<TrialOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Visited.Add(outcome.Configuration.Index);
        }
    }

    /// <summary>Ignores other tasks' measurements; model-based tuners that learn from them override it.</summary>
    public virtual void Transfer(IEnumerable<IReadOnlyList<(float[] Features, double Gflops)>> tasks)
    {
    }

    /// <summary>Ignores other tasks' measurements; model-based tuners that learn from them override it.</summary>
    public virtual void Transfer(IReadOnlyList<TransferTask> tasks)
    {
    }

    /// <summary>A uniformly random configuration index never visited (AutoTVM's <c>get_rand_index(to_exclude=visited)</c>).</summary>
    protected long RandomUnvisited()
    {
        if (Visited.Count * 2 < Space.Size)
        {
            long index;
            do
            {
                index = Random.NextInt64(Space.Size);
            }
            while (Visited.Contains(index));
            return index;
        }

        var remaining = new List<long>();
        for (var i = 0L; i < Space.Size; i++)
        {
            if (!Visited.Contains(i))
            {
                remaining.Add(i);
            }
        }

        return remaining[Random.Next(remaining.Count)];
    }
}
