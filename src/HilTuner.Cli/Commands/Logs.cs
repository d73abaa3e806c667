using HilTuner.IO;
using HilTuner.Tuning.Log;

namespace HilTuner.Cli.Commands;

/// <summary>Reading tuning logs for a command: warnings (a torn last line) on stderr, a malformed log as one clear line.</summary>
internal static class Logs
{
    /// <summary>
    /// Checks, before any work starts, that <paramref name="path"/> (the log, or another output a command writes) can
    /// be written: it is not a directory, and it (or its directory, created when missing) can be opened for writing.
    /// Nothing is written.
    /// </summary>
    public static void RequireWritable(string path, string option = "--log", string what = "the log", string example = "tune.log")
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"{path} is a directory; {option} needs a file (for example {Path.Combine(path, example)})");
        }

        if (InputFile.Kind(path) is { } kind)
        {
            throw new CliException($"{path} is a {kind}; {option} needs a regular file");
        }

        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var existed = File.Exists(path);
            using (new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            if (!existed)
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CliException($"{path}: cannot write {what} there: {e.Message}");
        }
    }

    /// <summary>
    /// Checks, before any measuring starts, that files can be written in <paramref name="directory"/> (created when
    /// missing): hours of measurements are not made only to find they cannot be kept.
    /// </summary>
    public static void RequireWritableDirectory(string directory, string option)
    {
        if (File.Exists(directory))
        {
            throw new CliException($"{option} {directory} is a file; it needs a directory");
        }

        var probe = Path.Combine(directory, $".hiltuner-write-check-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CliException($"{option} {directory}: cannot write there: {e.Message}");
        }
    }

    public static IReadOnlyList<TuningRecord> Read(CliContext context, string path)
    {
        try
        {
            var records = TuningLog.Read(path, out var warnings);
            foreach (var warning in warnings)
            {
                context.Error.WriteLine($"hiltuner: warning: {warning}");
            }

            return records;
        }
        catch (TuningLogException e)
        {
            throw new CliException(e.Message);
        }
    }
}
