namespace HilTuner.Compiler.Lowering;

/// <summary>
/// The runtime's micro-op cache (its <c>UopQueue</c>): kernels are placed in the micro-op SRAM one after
/// another; one that does not fit the rest of the buffer starts again at 0, evicting the kernels it
/// overlaps. A kernel not resident when an instruction needs it is loaded (LOAD UOP) right before it.
/// </summary>
/// <remarks>The cache is sized by the configuration (LOG_UOP_BUFF_SIZE): a board with a smaller real buffer faults.</remarks>
internal sealed class UopCache(int depth)
{
    private readonly Dictionary<int, (int Begin, int End)> _resident = [];
    private int _end;

    /// <summary>Highest micro-op SRAM entry used, plus one.</summary>
    public int HighWater { get; private set; }

    /// <summary>Where kernel <paramref name="id"/> of <paramref name="size"/> micro-ops sits; <paramref name="load"/> when it must be loaded first.</summary>
    public int Place(int id, int size, out bool load)
    {
        if (_resident.TryGetValue(id, out var range))
        {
            load = false;
            return range.Begin;
        }

        var begin = _end + size > depth ? 0 : _end;
        var end = begin + size;
        foreach (var (other, r) in _resident.ToList())
        {
            if (r.Begin < end && begin < r.End)
            {
                _resident.Remove(other);
            }
        }

        _resident[id] = (begin, end);
        _end = end;
        HighWater = Math.Max(HighWater, end);
        load = true;
        return begin;
    }
}
