using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>One of the three instruction queues between fetch and the load, compute and store modules.</summary>
internal sealed class CommandQueue(VtaModule module, int capacity) : RingQueue(capacity)
{
    private readonly InstructionWord[] _words = new InstructionWord[capacity];
    private readonly int[] _pcs = new int[capacity];
    private readonly long[] _times = new long[capacity];

    public VtaModule Module { get; } = module;

    public void Enqueue(InstructionWord word, int pc, long time)
    {
        var slot = PushSlot();
        _words[slot] = word;
        _pcs[slot] = pc;
        _times[slot] = time;
    }

    public (InstructionWord Word, int Pc, long Time) Dequeue()
    {
        var slot = PopSlot();
        return (_words[slot], _pcs[slot], _times[slot]);
    }

    public override string ToString() => $"{Module.ToString().ToLowerInvariant()} {Count}/{Capacity}";
}
