using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace HilTuner.IO;

/// <summary>
/// The one guard every file HilTuner reads passes: a special file (a character or block device such as
/// <c>/dev/zero</c>, a fifo, a socket) is refused by name — reading it may never end or block for ever — and so is a
/// regular file larger than the reader's limit; what is read whole is read within that limit, however the file grows.
/// Errors are <see cref="IOException"/>s without the path, for the reader to name its input: "FILE: cannot be read: …".
/// (Compiled into HilTuner.Vta, and as an internal copy into HilTuner.Onnx, which depends on nothing.)
/// </summary>
#if HILTUNER_INPUTFILE_INTERNAL
internal
#else
public
#endif
static partial class InputFile
{
    public const long MiB = 1L << 20;

    /// <summary>Checks <paramref name="path"/> is a regular file of at most <paramref name="maxBytes"/> (a missing file is left to the open to report).</summary>
    public static void Check(string path, long maxBytes)
    {
        if (Kind(path) is { } kind)
        {
            throw new IOException($"it is a {kind}, not a regular file");
        }

        var info = new FileInfo(path);
        if (info.Exists && info.Length > maxBytes)
        {
            throw new IOException(TooLarge(info.Length, maxBytes));
        }
    }

    /// <summary>Opens a regular file for reading as a stream (the reader bounds what it holds, e.g. line by line).</summary>
    public static FileStream OpenRead(string path, FileShare share = FileShare.Read)
    {
        Check(path, long.MaxValue);
        return new FileStream(path, FileMode.Open, FileAccess.Read, share, 1);
    }

    /// <summary>The whole file, at most <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using var stream = OpenRead(path, FileShare.ReadWrite);
        var bytes = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            if (bytes.Length + n > maxBytes)
            {
                throw new IOException(TooLarge(bytes.Length + n, maxBytes));
            }

            bytes.Write(buffer, 0, n);
        }

        return bytes.ToArray();
    }

    /// <summary>The whole file as UTF-8 text (a byte-order mark dropped), at most <paramref name="maxBytes"/>.</summary>
    public static string ReadAllText(string path, long maxBytes) => Encoding.UTF8.GetString(ReadAllBytes(path, maxBytes)).TrimStart('\uFEFF');

    private static string TooLarge(long length, long maxBytes) => string.Create(CultureInfo.InvariantCulture,
        $"it holds more than {maxBytes / (double)MiB:0.###} MiB ({length} bytes or more), more than such a file can be");

    /// <summary>What <paramref name="path"/> is when it is not a regular file ("character device", "fifo", …); null otherwise, or when unknown.</summary>
    public static string? Kind(string path)
    {
        if (Directory.Exists(path))
        {
            return "directory";
        }

        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // statx's layout is the same on every architecture: stx_mode is the 16-bit field at offset 28.
        Span<byte> buffer = stackalloc byte[256];
        unsafe
        {
            fixed (byte* b = buffer)
            {
                if (Statx(-100, path, 0, 1, b) != 0)
                {
                    return null; // AT_FDCWD, follow links, STATX_TYPE; a missing file is reported by the open
                }
            }
        }

        return (BitConverter.ToUInt16(buffer[28..30]) & 0xF000) switch
        {
            0x8000 => null,
            0x2000 => "character device",
            0x6000 => "block device",
            0x1000 => "fifo",
            0xC000 => "socket",
            0x4000 => "directory",
            _ => "special file",
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
