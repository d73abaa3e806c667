using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// One dependency-token queue. Tokens carry no data, only the moment they were pushed (and, when races
/// are checked, the pusher's vector clock). Finite: a push into a full queue blocks the pusher (HLS) or is
/// lost (Chisel's saturating counter), as the board file says.
/// </summary>
internal sealed class DependencyQueue : RingQueue
{
    private readonly long[] _times;
    private readonly int[] _clocks;

    public DependencyQueue(DependencyQueueId id, int capacity, DependencyQueueFull whenFull)
        : base(capacity)
    {
        Id = id;
        WhenFull = whenFull;
        _times = new long[capacity];
        _clocks = new int[capacity * VectorClock.Width];
    }

    public DependencyQueueId Id { get; }
    public DependencyQueueFull WhenFull { get; }
    public long Dropped { get; private set; }
    public long Pushed { get; private set; }

    /// <summary>The module that blocks on this queue when it is empty (set by the simulator).</summary>
    public Unit? Consumer { get; set; }

    /// <summary>The module that blocks on this queue when it is full.</summary>
    public Unit? Producer { get; set; }

    /// <summary>Pushes a token at <paramref name="time"/>; a full queue in drop mode loses it.</summary>
    public void Push(long time, ReadOnlySpan<int> clock)
    {
        Pushed++;
        if (IsFull)
        {
            Dropped++;
            return;
        }

        var slot = PushSlot();
        _times[slot] = time;
        if (!clock.IsEmpty)
        {
            clock.CopyTo(_clocks.AsSpan(slot * VectorClock.Width, VectorClock.Width));
        }
    }

    /// <summary>Pops the oldest token: its push time, and its clock merged into <paramref name="clock"/>.</summary>
    public long Pop(Span<int> clock)
    {
        var slot = PopSlot();
        if (!clock.IsEmpty)
        {
            VectorClock.Join(clock, _clocks.AsSpan(slot * VectorClock.Width, VectorClock.Width));
        }

        return _times[slot];
    }

    /// <summary>Tokens left over from an earlier run are visible at once.</summary>
    public void Age()
    {
        for (var i = 0; i < Count; i++)
        {
            _times[SlotOf(i)] = 0;
        }
    }

    public override string ToString() => $"{Id.ShortName()} {Count}/{Capacity}";
}
