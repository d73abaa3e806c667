using HilTuner.IO;
using System.Globalization;
using System.Text;

namespace HilTuner.Tuning.Log;

/// <summary>
/// A tuning log: one JSON line per trial, appended and synced to disk before the next measurement starts,
/// so that a run killed at any moment loses at most the line it was writing.
/// </summary>
public sealed class TuningLog : IDisposable, Session.ITrialObserver
{
    /// <summary>The longest line read (1 MiB): a record is a few kilobytes, even with a thousand costs.</summary>
    public const int MaxLineBytes = 1 << 20;

    private readonly FileStream _stream;
    private readonly bool _durable;

    private TuningLog(string path, FileStream stream, bool durable)
    {
        Path = path;
        _stream = stream;
        _durable = durable;
    }

    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for appending (creating it). What a power cut or a kill in the middle of a write
    /// leaves is cut off first — a tail of NUL bytes, then a torn last record — so the next record starts on a line of
    /// its own; any other unterminated last line (a comment, text that is not a record) is kept and ended. With
    /// <paramref name="durable"/> false records are not synced to disk one by one (for the scratch logs of benchmarks only).
    /// </summary>
    public static TuningLog Append(string path, bool durable = true)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (InputFile.Kind(path) is { } kind)
        {
            throw new TuningLogException(path, 0, $"it is a {kind}; a log is a regular file");
        }

        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            // One writer per log: two runs appending at their own offsets would overwrite each other's lines.
            if (!WriterLock.TryTake(stream))
            {
                throw new TuningLogException(path, 0, "another process is writing this log: let it finish, or choose another --log");
            }

            Repair(stream);
            stream.Position = stream.Length;
            return new TuningLog(path, stream, durable);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Cuts a NUL tail and a torn last record, and ends any other unterminated last line.</summary>
    private static void Repair(FileStream stream)
    {
        var end = LastIndex(stream, stream.Length, b => b != 0) + 1;
        if (end < stream.Length)
        {
            stream.SetLength(end);
        }

        if (end == 0)
        {
            return;
        }

        stream.Position = end - 1;
        if (stream.ReadByte() == '\n')
        {
            return;
        }

        // Find the end of the last complete line; keep a complete last record that only lacks its newline.
        var lastNewline = LastIndex(stream, end, b => b == '\n');
        var tailLength = end - lastNewline - 1;
        if (tailLength <= MaxLineBytes)
        {
            var bytes = new byte[tailLength];
            stream.Position = lastNewline + 1;
            stream.ReadExactly(bytes);
            var tail = Encoding.UTF8.GetString(bytes);
            if (IsTornRecord(tail) && !IsRecord(tail))
            {
                stream.SetLength(lastNewline + 1);
                return;
            }
        }

        // A complete record, a comment, or a line that is not the log's own: ended, never cut.
        stream.Position = end;
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The position of the last byte before <paramref name="end"/> that matches, or -1; read backwards in blocks.</summary>
    private static long LastIndex(FileStream stream, long end, Func<byte, bool> match)
    {
        var block = new byte[64 * 1024];
        while (end > 0)
        {
            var start = Math.Max(0, end - block.Length);
            var count = (int)(end - start);
            stream.Position = start;
            stream.ReadExactly(block, 0, count);
            for (var i = count - 1; i >= 0; i--)
            {
                if (match(block[i]))
                {
                    return start + i;
                }
            }

            end = start;
        }

        return -1;
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

    public void Dispose() => _stream.Dispose();

    /// <summary>
    /// Reads every record, line by line (a line longer than <see cref="MaxLineBytes"/> is an error). What a power cut
    /// or a kill leaves at the end — NUL bytes, a torn last record (an unterminated last line that starts a JSON
    /// object) — is skipped with a warning naming it; any other line that is not a record is an error naming the file
    /// and the line. Blank lines and <c>#</c> comments are skipped.
    /// </summary>
    public static IReadOnlyList<TuningRecord> Read(string path, out IReadOnlyList<string> warnings)
    {
        var records = new List<TuningRecord>();
        var notes = new List<string>();
        try
        {
            using var stream = InputFile.OpenRead(path, FileShare.ReadWrite);
            var lines = new LineReader(stream, path);
            var number = 0;
            while (lines.Next() is { } line)
            {
                number++;
                var text = Encoding.UTF8.GetString(line).TrimEnd('\r').TrimStart('\uFEFF');
                if (string.IsNullOrWhiteSpace(text) || text.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                try
                {
                    records.Add(RecordJson.Read(text));
                }
                catch (FormatException e)
                {
                    if (lines.AtEnd && !lines.Terminated && IsTornRecord(text))
                    {
                        notes.Add($"{path}:{number}: the last line is incomplete (a write was interrupted); it is ignored, and cut off when the log is next written");
                        continue;
                    }

                    throw new TuningLogException(path, number, e.Message, e);
                }
            }

            if (lines.NulTail > 0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: ends in {lines.NulTail} NUL byte(s) after line {number} (what a power cut leaves); they are ignored, and cut off when the log is next written"));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TuningLogException(path, 0, $"cannot be read: {e.Message}", e);
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

    /// <summary>
    /// Splits a log into lines without holding more than one: a line longer than <see cref="MaxLineBytes"/> is an
    /// error, and a run of NUL bytes that lasts to the end of the file is its NUL tail, not a line.
    /// </summary>
    private sealed class LineReader(Stream stream, string path)
    {
        private readonly BufferedStream _input = new(stream, 64 * 1024);
        private readonly MemoryStream _line = new();
        private int _number;

        /// <summary>True once the end of the file has been reached (the line returned last is the last one).</summary>
        public bool AtEnd { get; private set; }

        /// <summary>Whether the line returned last ended with a newline.</summary>
        public bool Terminated { get; private set; }

        /// <summary>How many NUL bytes end the file.</summary>
        public long NulTail { get; private set; }

        public byte[]? Next()
        {
            if (AtEnd)
            {
                return null;
            }

            _number++;
            _line.SetLength(0);
            while (true)
            {
                var b = _input.ReadByte();
                if (b < 0 || (b == 0 && OnlyNulsFollow()))
                {
                    AtEnd = true;
                    Terminated = false;
                    return _line.Length > 0 ? _line.ToArray() : null;
                }

                if (b == '\n')
                {
                    Terminated = true;
                    return _line.ToArray();
                }

                if (_line.Length == MaxLineBytes)
                {
                    throw new TuningLogException(path, _number, string.Create(CultureInfo.InvariantCulture, $"the line is longer than {MaxLineBytes} bytes; a tuning record is a few kilobytes"));
                }

                _line.WriteByte((byte)b);
            }
        }

        /// <summary>After a NUL byte: true (counting them) when nothing but NUL bytes follows to the end of the file.</summary>
        private bool OnlyNulsFollow()
        {
            long count = 1;
            int b;
            while ((b = _input.ReadByte()) == 0)
            {
                count++;
            }

            if (b < 0)
            {
                NulTail = count;
                return true;
            }

            throw new TuningLogException(path, _number, "NUL bytes inside the log, not at its end: the file is damaged");
        }
    }
}
