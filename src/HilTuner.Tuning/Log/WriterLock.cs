using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HilTuner.Tuning.Log;

/// <summary>
/// The one-writer lock of a tuning log: an exclusive open-file-description lock (Linux's <c>F_OFD_SETLK</c>) on the
/// whole log, taken through the file descriptor that appends to it. The kernel drops it with that descriptor — on
/// close, a crash, SIGINT or kill -9 alike — so nothing is left behind to block the next run (a lock <em>file</em>
/// outlives a killed writer), and it does not depend on .NET's emulation of <see cref="FileShare"/>, which can be
/// turned off (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>). Readers take no such lock, so <c>log summary</c> still
/// reads a log while it is written. Unlike a classic POSIX record lock, which belongs to the process, a second
/// writer in the same process is refused too. Elsewhere than 64-bit Linux (where HilTuner does not tune) there is no lock.
/// </summary>
internal static partial class WriterLock
{
    private const int SetOpenFileDescriptionLock = 37; // F_OFD_SETLK
    private const short WriteLock = 1; // F_WRLCK

    /// <summary>Takes the lock without waiting; false when another open file description holds it.</summary>
    public static bool TryTake(FileStream stream)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return true;
        }

        // struct flock: l_type, l_whence, l_start, l_len (0: to the end of the file, however long it grows), l_pid (0).
        var record = new FlockRecord { Type = WriteLock };
        if (Fcntl(stream.SafeFileHandle, SetOpenFileDescriptionLock, ref record) == 0)
        {
            return true;
        }

        // EAGAIN, EACCES: another description holds it. EINVAL, ENOLCK, ENOSYS, EOPNOTSUPP: the file system (or the
        // kernel, before 3.15) has no such locks; the log is still written, unguarded, as it was before there was a lock.
        var error = Marshal.GetLastPInvokeError();
        return error switch
        {
            11 or 13 => false,
            22 or 37 or 38 or 95 => true,
            _ => throw new IOException($"cannot lock the log ({Marshal.GetPInvokeErrorMessage(error)})"),
        };
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct FlockRecord
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle descriptor, int command, ref FlockRecord record);
}
