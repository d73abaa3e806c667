using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>One of the three instruction queues between fetch and the load, compute and store modules.</summary>
internal sealed class CommandQueue(VtaModule module, int capacity)
{
    private readonly InstructionWord[] _words = new InstructionWord[capacity];
    private readonly int[] _pcs = new int[capacity];
    private readonly long[] _times = new long[capacity];
    private int _head;

    public VtaModule Module { get; } = module;
    public int Capacity { get; } = capacity;
    public int Count { get; private set; }
    public bool IsFull => Count == Capacity;
    public bool IsEmpty => Count == 0;

    public void Enqueue(InstructionWord word, int pc, long time)
    {
        var slot = (_head + Count) % Capacity;
        _words[slot] = word;
        _pcs[slot] = pc;
        _times[slot] = time;
        Count++;
    }

    public (InstructionWord Word, int Pc, long Time) Dequeue()
    {
        var result = (_words[_head], _pcs[_head], _times[_head]);
        _head = (_head + 1) % Capacity;
        Count--;
        return result;
    }

    public void Clear()
    {
        _head = 0;
        Count = 0;
    }

    public override string ToString() => $"{Module.ToString().ToLowerInvariant()} {Count}/{Capacity}";
}
