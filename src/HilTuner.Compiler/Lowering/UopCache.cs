namespace HilTuner.Compiler.Lowering;

/// <summary>
/// The runtime's micro-op cache (its <c>UopQueue</c>): kernels are placed in the micro-op SRAM one after
/// another; one that does not fit the rest of the buffer starts again at 0, evicting the kernels it
/// overlaps. A kernel not resident when an instruction needs it is loaded (LOAD UOP) right before it.
/// </summary>
/// <remarks>The cache is sized by the configuration (LOG_UOP_BUFF_SIZE): a board with a smaller real buffer faults.</remarks>
internal sealed class UopCache(int depth)
{
    private readonly List<int> _begin = [];
    private readonly List<int> _end = [];
    private readonly List<int> _resident = [];
    private int _next;

    /// <summary>Highest micro-op SRAM entry used, plus one.</summary>
    public int HighWater { get; private set; }

    /// <summary>Where kernel <paramref name="id"/> of <paramref name="size"/> micro-ops sits; <paramref name="load"/> when it must be loaded first.</summary>
    public int Place(int id, int size, out bool load)
    {
        while (_begin.Count <= id)
        {
            _begin.Add(-1);
            _end.Add(-1);
        }

        if (_begin[id] >= 0)
        {
            load = false;
            return _begin[id];
        }

        var begin = _next + size > depth ? 0 : _next;
        var end = begin + size;
        for (var i = _resident.Count - 1; i >= 0; i--)
        {
            var other = _resident[i];
            if (_begin[other] < end && begin < _end[other])
            {
                _begin[other] = _end[other] = -1;
                _resident.RemoveAt(i);
            }
        }

        _begin[id] = begin;
        _end[id] = end;
        _resident.Add(id);
        _next = end;
        HighWater = Math.Max(HighWater, end);
        load = true;
        return begin;
    }
}
