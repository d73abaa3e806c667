using System.Diagnostics;

namespace HilTuner.Edge.Tests;

/// <summary>How a program run by a test ended: exit code, standard output and error, wall time.</summary>
internal sealed record ProgramRun(string Command, int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"{Command}: exit {ExitCode} after {Elapsed.TotalSeconds:F1} s; stderr: {Error.Trim()}";
}

/// <summary>Runs real programs (the x64 and arm64 builds of hiltuner-predict, dotnet publish) with a time limit.</summary>
internal static class ExternalProgram
{
    /// <summary>
    /// Runs <paramref name="file"/> with its output captured; kills it and fails the test after <paramref name="timeout"/>.
    /// <paramref name="environment"/> sets variables (a null value removes one).
    /// </summary>
    public static ProgramRun Run(string file, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var command = string.Join(' ', info.ArgumentList.Prepend(file).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish within {timeout.TotalSeconds:F0} s");
        }

        process.WaitForExit();
        return new ProgramRun(command, process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult(), clock.Elapsed);
    }

    /// <summary>The full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
}
