using System.IO.MemoryMappedFiles;

namespace HilTuner.Hardware.CoSim;

/// <summary>
/// The simulated board's physical memory: a sparse file whose byte offset is the physical address (docs/protocol.md
/// §11), mapped shared by the agent (in place of <c>/dev/mem</c>) and by the co-simulation device. It spans the whole
/// 32-bit address space, so that whichever side starts first maps every page the other will touch.
/// </summary>
public sealed unsafe class SharedMemoryFile : IDisposable
{
    /// <summary>4 GiB: every address VTA and its registers can have.</summary>
    public const long Bytes = 1L << 32;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    private SharedMemoryFile(string path, MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        Path = path;
        _file = file;
        _view = view;
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    public string Path { get; }

    /// <summary>Opens the file, creating it or extending it (sparse, never shrinking) to <see cref="Bytes"/>, readable and writable by every user.</summary>
    public static SharedMemoryFile Open(string path)
    {
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            if (stream.Length < Bytes)
            {
                stream.SetLength(Bytes);
            }

            try
            {
                if (!OperatingSystem.IsWindows())
                {
                    // The agent may run as another user (the SSH test user): both sides must be able to map it.
                    File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110);
                }
            }
            catch (UnauthorizedAccessException)
            {
                // Someone else's file: they chose its mode.
            }

            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new SharedMemoryFile(path, file, file.CreateViewAccessor(0, Bytes, MemoryMappedFileAccess.ReadWrite));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot map the simulated board's memory: {e.Message}", e);
        }
    }

    /// <summary>A register read: one aligned, volatile 32-bit load.</summary>
    public uint Read32(ulong address) => Volatile.Read(ref *(uint*)At(address, 4));

    /// <summary>A register write: one aligned, volatile 32-bit store.</summary>
    public void Write32(ulong address, uint value) => Volatile.Write(ref *(uint*)At(address, 4), value);

    /// <summary>The bytes at <paramref name="address"/>, for DMA-like copies.</summary>
    public Span<byte> Span(ulong address, int length) => new(At(address, length), length);

    private byte* At(ulong address, long length)
    {
        if (address + (ulong)length > Bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(address), $"[0x{address:x}, 0x{address + (ulong)length:x}) is outside the 32-bit physical address space");
        }

        return _base + address;
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
