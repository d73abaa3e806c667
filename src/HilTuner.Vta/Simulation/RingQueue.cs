namespace HilTuner.Vta.Simulation;

/// <summary>
/// The bookkeeping of a fixed-capacity FIFO whose items live in the subclass's parallel arrays: which slot the next
/// item goes into, which slot comes out next.
/// </summary>
internal abstract class RingQueue(int capacity)
{
    private int _head;

    public int Capacity { get; } = capacity;
    public int Count { get; private set; }
    public bool IsFull => Count == Capacity;
    public bool IsEmpty => Count == 0;

    public void Clear()
    {
        _head = 0;
        Count = 0;
    }

    /// <summary>The slot of the <paramref name="index"/>-th item from the oldest.</summary>
    protected int SlotOf(int index) => (_head + index) % Capacity;

    /// <summary>Takes the slot after the newest item for a new one (the caller checked the queue is not full).</summary>
    protected int PushSlot() => SlotOf(Count++);

    /// <summary>Releases the oldest item's slot and returns it (its arrays' entries stay readable until the next push).</summary>
    protected int PopSlot()
    {
        var slot = _head;
        _head = SlotOf(1);
        Count--;
        return slot;
    }
}
