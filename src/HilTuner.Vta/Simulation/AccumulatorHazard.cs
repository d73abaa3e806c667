namespace HilTuner.Vta.Simulation;

/// <summary>
/// The GEMM / ALU pipeline's read-after-write hazard on the accumulator: a micro-op reads the accumulator
/// before the writes of the previous <c>window</c> micro-ops of the same instruction have landed (the HLS
/// design declares no loop-carried dependence on it to reach II = 1). Keeps, for the last writes, the value
/// each one overwrote, so a read within the window sees what the hardware would: the value before the
/// oldest in-window write. The pipeline drains between passes over the kernel (each inner-loop iteration) and
/// between instructions, so the window never spans them.
/// </summary>
internal sealed unsafe class AccumulatorHazard
{
    private readonly int _window;
    private readonly int _lanes;
    private readonly int _slots;
    private readonly int[] _elements;
    private readonly int[] _old;
    private readonly int* _oldPtr;
    private int _head;
    private int _count;

    public AccumulatorHazard(int window, int lanes)
    {
        _window = window;
        _lanes = lanes;
        _slots = window + 1;
        _elements = new int[_slots];
        _old = GC.AllocateArray<int>(_slots * lanes, pinned: true);
        _oldPtr = (int*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _old[0]);
    }

    /// <summary>Starts an instruction: nothing is in flight.</summary>
    public void Clear() => _count = 0;

    /// <summary>Where a micro-op reading accumulator element <paramref name="element"/> finds its operand.</summary>
    public int* Read(int element, int* acc)
    {
        for (var r = 0; r < _count; r++)
        {
            var slot = (_head + r) % _slots;
            if (_elements[slot] == element)
            {
                return _oldPtr + (slot * _lanes);
            }
        }

        return acc + ((long)element * _lanes);
    }

    /// <summary>Records that the current micro-op is about to write <paramref name="element"/> (call after its reads).</summary>
    public void Writing(int element, int* acc)
    {
        if (_window == 0)
        {
            return;
        }

        var slot = (_head + _count) % _slots;
        _elements[slot] = element;
        new ReadOnlySpan<int>(acc + ((long)element * _lanes), _lanes).CopyTo(new Span<int>(_oldPtr + (slot * _lanes), _lanes));
        if (_count == _window)
        {
            _head = (_head + 1) % _slots;
        }
        else
        {
            _count++;
        }
    }
}
