using HilTuner.Tuning.Log;

namespace HilTuner.Cli.Commands;

/// <summary>Reading tuning logs for a command: warnings (a torn last line) on stderr, a malformed log as one clear line.</summary>
internal static class Logs
{
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
