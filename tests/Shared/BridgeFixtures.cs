using System.Diagnostics;

namespace HilTuner.Tests.Shared;

/// <summary>Runs one of the repository's tools/ scripts and reads its KEY=VALUE lines.</summary>
internal static class ToolScript
{
    public static Dictionary<string, string> Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Repository.Root, "tools", script))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"tools/{script} did not finish within 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tools/{script} {string.Join(' ', args)} failed (exit {process.ExitCode}): {error.Result}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
    }
}

/// <summary>A private OpenSSH server on a free loopback port (tools/sshd-start.sh), with its own keys and test user.</summary>
internal sealed class PrivateSshd : IDisposable
{
    private readonly string _directory;

    public PrivateSshd()
    {
        _directory = Directory.CreateTempSubdirectory("hiltuner-sshd-").FullName;
        var values = ToolScript.Run("sshd-start.sh", _directory);
        Port = int.Parse(values["SSHD_PORT"], System.Globalization.CultureInfo.InvariantCulture);
        User = values["SSHD_USER"];
        Key = values["SSHD_KEY"];
        HostKeySha256 = values["SSHD_HOST_KEY_SHA256"];
        KnownHosts = values["SSHD_KNOWN_HOSTS"];
    }

    public int Port { get; }
    public string User { get; }
    public string Key { get; }
    public string HostKeySha256 { get; }
    public string KnownHosts { get; }

    public void Dispose()
    {
        try
        {
            ToolScript.Run("sshd-stop.sh", _directory);
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

/// <summary>Two linked ptys (tools/pty-pair.sh, socat): the host's serial device and the board's.</summary>
internal sealed class PtyPair : IDisposable
{
    private readonly string _directory;

    public PtyPair()
    {
        _directory = Directory.CreateTempSubdirectory("hiltuner-pty-").FullName;
        var values = ToolScript.Run("pty-pair.sh", _directory);
        Host = values["PTY_HOST"];
        Board = values["PTY_BOARD"];
    }

    /// <summary>The host's end (what the board file's link.device names).</summary>
    public string Host { get; }

    /// <summary>The board's end (where the agent runs with --tty).</summary>
    public string Board { get; }

    public void Dispose()
    {
        try
        {
            ToolScript.Run("pty-stop.sh", _directory);
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>The agent running on the board side of a serial line (as systemd would start it on a board).</summary>
internal sealed class TtyAgent : IDisposable
{
    private readonly Process _process;

    public TtyAgent(string tty, IEnumerable<string> options)
    {
        var start = new ProcessStartInfo(CoSimBoard.AgentPath) { RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "--tty", tty, "--baud", "115200" }.Concat(options))
        {
            start.ArgumentList.Add(a);
        }

        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Log.Add(line);
            }
        };
        _process.BeginErrorReadLine();

        // It says it is ready once it has opened the line; an agent that could not start says why.
        var clock = Stopwatch.StartNew();
        while (!Log.Any(l => l.Contains("ready on", StringComparison.Ordinal)))
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"the agent on {tty} did not start (exit {(_process.HasExited ? _process.ExitCode : "none yet")}): {string.Join(" | ", Log)}");
            }

            Thread.Sleep(20);
        }
    }

    public System.Collections.Concurrent.ConcurrentBag<string> Log { get; } = [];

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
