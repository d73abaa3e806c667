namespace HilTuner.Vta.Simulation;

/// <summary>
/// The simulated DRAM: a sparse physical address space made only of the buffers allocated in it. An access
/// that is not wholly inside one allocated buffer is a fault, as an AXI access to unmapped memory would at
/// best be on a board.
/// </summary>
public sealed class DeviceMemory
{
    /// <summary>Allocations are page aligned, as CMA allocations are.</summary>
    public const ulong PageBytes = 4096;

    /// <summary>Where the first allocation lands (a typical CMA region on a Zynq board).</summary>
    public const ulong BaseAddress = 0x1000_0000;

    /// <summary>How many freed buffers' bytes are kept for later allocations of the same size.</summary>
    private const int KeptFreed = 8;

    private readonly List<DramBuffer> _buffers = [];

    /// <summary>The bytes of recently freed buffers, oldest first: an allocation of the same size clears and reuses them.</summary>
    private readonly List<byte[]> _freed = [];
    private ulong _next = BaseAddress;
    private DramBuffer? _last;

    public IReadOnlyList<DramBuffer> Buffers => _buffers;

    /// <summary>Allocates <paramref name="bytes"/> zeroed bytes; one unmapped guard page separates allocations.</summary>
    /// <remarks>
    /// The bytes of a buffer freed earlier with this size are cleared and used again (a program run again and again,
    /// as a tuner runs one, then allocates no new memory; clearing warm pages is cheaper than new ones).
    /// </remarks>
    public DramBuffer Allocate(long bytes, string name) => Allocate(bytes, name, zero: true);

    private DramBuffer Allocate(long bytes, string name, bool zero)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        var buffer = new DramBuffer(name, _next, Reuse(bytes, zero) ?? new byte[bytes]);
        var pages = ((ulong)bytes + PageBytes - 1) / PageBytes;
        _next += (pages + 1) * PageBytes;
        if (_next > uint.MaxValue)
        {
            throw new InvalidOperationException("the simulated DRAM's 32-bit physical address space is exhausted; Free() what is no longer needed");
        }

        _buffers.Add(buffer);
        return buffer;
    }

    /// <summary>
    /// Places a buffer at a fixed physical address (a device that runs programs someone else laid out in DRAM, such as
    /// the co-simulation device). The range must not overlap a buffer already there.
    /// </summary>
    public DramBuffer AllocateAt(ulong address, ReadOnlySpan<byte> data, string name)
    {
        if (data.IsEmpty)
        {
            throw new ArgumentException("a DRAM buffer needs at least one byte", nameof(data));
        }

        var end = address + (ulong)data.Length;
        if (end > (ulong)uint.MaxValue + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(address), $"[0x{address:x}, 0x{end:x}) leaves the 32-bit physical address space");
        }

        if (_buffers.FirstOrDefault(b => address < b.End && end > b.PhysicalAddress) is { } overlap)
        {
            throw new ArgumentException($"[0x{address:x}, 0x{end:x}) overlaps the DRAM buffer {overlap}", nameof(address));
        }

        var buffer = new DramBuffer(name, address, data.ToArray());
        _buffers.Add(buffer);
        return buffer;
    }

    /// <summary>Allocates a buffer holding <paramref name="data"/>.</summary>
    public DramBuffer Allocate(ReadOnlySpan<byte> data, string name)
    {
        var buffer = Allocate(Math.Max(1, data.Length), name, zero: data.IsEmpty);
        data.CopyTo(buffer.Data);
        return buffer;
    }

    /// <summary>Freed bytes of exactly <paramref name="bytes"/>, taken from the kept ones (cleared when <paramref name="zero"/>), or null.</summary>
    private byte[]? Reuse(long bytes, bool zero)
    {
        var at = _freed.FindIndex(data => data.LongLength == bytes);
        if (at < 0)
        {
            return null;
        }

        var data = _freed[at];
        _freed.RemoveAt(at);
        if (zero)
        {
            Array.Clear(data);
        }

        return data;
    }

    /// <summary>Keeps a freed buffer's bytes for a later allocation of its size (the few most recent).</summary>
    private void Keep(DramBuffer buffer)
    {
        if (_freed.Count == KeptFreed)
        {
            _freed.RemoveAt(0);
        }

        _freed.Add(buffer.Data);
    }

    /// <summary>Releases every allocation (addresses are handed out again from the start).</summary>
    public void Clear()
    {
        _buffers.Clear();
        _last = null;
        _next = BaseAddress;
    }

    /// <summary>Releases one allocation. Its bytes may be handed to a later allocation: read what is needed before.</summary>
    public void Free(DramBuffer buffer)
    {
        if (_buffers.Remove(buffer))
        {
            Keep(buffer);
        }

        if (_last == buffer)
        {
            _last = null;
        }

        if (_buffers.Count == 0)
        {
            _next = BaseAddress;
        }
    }

    /// <summary>The buffer that holds all of <c>[address, address + length)</c>, or null.</summary>
    public DramBuffer? Find(ulong address, long length)
    {
        if (_last is { } last && last.Contains(address, length))
        {
            return last;
        }

        foreach (var buffer in _buffers)
        {
            if (buffer.Contains(address, length))
            {
                _last = buffer;
                return buffer;
            }
        }

        return null;
    }

    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        var buffer = Find(address, data.Length) ?? throw Unmapped(address, data.Length);
        data.CopyTo(buffer.Data.AsSpan(checked((int)(address - buffer.PhysicalAddress))));
    }

    public void Read(ulong address, Span<byte> destination)
    {
        var buffer = Find(address, destination.Length) ?? throw Unmapped(address, destination.Length);
        buffer.Data.AsSpan(checked((int)(address - buffer.PhysicalAddress)), destination.Length).CopyTo(destination);
    }

    internal string Describe(ulong address, long length)
    {
        var near = _buffers.FirstOrDefault(b => address < b.End && address + (ulong)Math.Max(length, 1) > b.PhysicalAddress);
        return near is null
            ? $"[0x{address:x}, 0x{address + (ulong)length:x}) is outside every allocated DRAM buffer"
            : $"[0x{address:x}, 0x{address + (ulong)length:x}) runs past the DRAM buffer {near}";
    }

    private ArgumentOutOfRangeException Unmapped(ulong address, long length) =>
        new(nameof(address), Describe(address, length));
}
