using System.Text;

namespace HilTuner.Tuning.Log;

/// <summary>
/// A tuning log: one JSON line per trial, appended and synced to disk before the next measurement starts,
/// so that a run killed at any moment loses at most the line it was writing.
/// </summary>
public sealed class TuningLog : IDisposable, Session.ITrialObserver
{
    private readonly FileStream _stream;
    private readonly FileStream _lock;
    private readonly bool _durable;

    private TuningLog(string path, FileStream stream, FileStream writerLock, bool durable)
    {
        Path = path;
        _stream = stream;
        _lock = writerLock;
        _durable = durable;
    }

    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for appending (creating it). A torn last record — what a kill in the middle of
    /// a write leaves — is cut off first, so the next record starts on a line of its own; any other unterminated last
    /// line (a comment, text that is not a record) is kept and ended. With <paramref name="durable"/>
    /// false records are not synced to disk one by one (for the scratch logs of benchmarks only).
    /// </summary>
    public static TuningLog Append(string path, bool durable = true)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // One writer per log: two runs appending at their own offsets would overwrite each other's lines. The lock is
        // a file of its own (readers such as `log summary` still read the log while it is written), removed on close.
        FileStream writerLock;
        try
        {
            writerLock = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e)
        {
            throw new TuningLogException(path, 0, $"another process is writing this log (it holds {path}.lock): let it finish, or choose another --log", e);
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }

        var length = stream.Length;
        if (length > 0)
        {
            stream.Position = length - 1;
            if (stream.ReadByte() != '\n')
            {
                // Find the end of the last complete line; keep a complete last record that only lacks its newline.
                var bytes = new byte[length];
                stream.Position = 0;
                stream.ReadExactly(bytes);
                var lastNewline = Array.LastIndexOf(bytes, (byte)'\n');
                var tail = Encoding.UTF8.GetString(bytes, lastNewline + 1, (int)(length - lastNewline - 1));
                if (IsTornRecord(tail) && !IsRecord(tail))
                {
                    stream.SetLength(lastNewline + 1);
                }
                else
                {
                    // A complete record, a comment, or a line that is not the log's own: ended, never cut.
                    stream.Position = length;
                    stream.WriteByte((byte)'\n');
                }
            }
        }

        stream.Position = stream.Length;
        return new TuningLog(path, stream, writerLock, durable);
    }

    /// <summary>Records every trial measured (a resumed run's trials answered from the log are there already).</summary>
    public void OnTrial(TuningRecord? record, Session.TaskProgress progress)
    {
        if (record is not null)
        {
            Write(record);
        }
    }

    /// <summary>Appends one record and syncs it to disk.</summary>
    public void Write(TuningRecord record)
    {
        var bytes = Encoding.UTF8.GetBytes(RecordJson.Write(record) + "\n");
        _stream.Write(bytes);
        _stream.Flush(flushToDisk: _durable);
    }

    public void Dispose()
    {
        _stream.Dispose();
        _lock.Dispose();
    }

    /// <summary>
    /// Reads every record. A torn last record (an unterminated last line that starts a JSON object) is skipped with a
    /// warning naming it; any other line that is not a record is an error naming the file and the line. Blank lines and <c>#</c> comments are skipped.
    /// </summary>
    public static IReadOnlyList<TuningRecord> Read(string path, out IReadOnlyList<string> warnings)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TuningLogException(path, 0, $"cannot be read: {e.Message}", e);
        }

        var records = new List<TuningRecord>();
        var notes = new List<string>();
        var lines = text.Split('\n');
        var complete = text.EndsWith('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var isLast = i == lines.Length - 1;
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            try
            {
                records.Add(RecordJson.Read(line));
            }
            catch (FormatException e)
            {
                if (isLast && !complete && IsTornRecord(line))
                {
                    notes.Add($"{path}:{i + 1}: the last line is incomplete (a write was interrupted); it is ignored, and cut off when the log is next written");
                    continue;
                }

                throw new TuningLogException(path, i + 1, e.Message, e);
            }
        }

        warnings = notes;
        return records;
    }

    /// <summary>What a write interrupted mid-record leaves: the start of a JSON object.</summary>
    private static bool IsTornRecord(string line) => line.TrimStart().StartsWith('{');

    private static bool IsRecord(string line)
    {
        try
        {
            RecordJson.Read(line);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
