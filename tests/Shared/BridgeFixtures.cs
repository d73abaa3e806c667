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
        Pid = int.Parse(values["SSHD_PID"], System.Globalization.CultureInfo.InvariantCulture);
        User = values["SSHD_USER"];
        Key = values["SSHD_KEY"];
        HostKeySha256 = values["SSHD_HOST_KEY_SHA256"];
        KnownHosts = values["SSHD_KNOWN_HOSTS"];
    }

    public int Port { get; }

    /// <summary>The listening server; each connection is served by processes it forks.</summary>
    public int Pid { get; }
    public string User { get; }
    public string Key { get; }
    public string HostKeySha256 { get; }
    public string KnownHosts { get; }

    /// <summary>
    /// Kills (SIGKILL), as a crash of the board's sshd or an out-of-memory kill would, every process serving a
    /// connection (the listener's descendants: the privileged monitor, the session process, the agent it started),
    /// and waits until they are gone; the listener lives on, so a new connection is served. The number killed.
    /// </summary>
    public int KillSessions()
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) &&
                ProcFs.ParentOf(pid) is { } parent)
            {
                (parents.TryGetValue(parent, out var children) ? children : parents[parent] = []).Add(pid);
            }
        }

        var descendants = new List<int>();
        var pending = new Queue<int>([Pid]);
        while (pending.TryDequeue(out var pid))
        {
            foreach (var child in parents.GetValueOrDefault(pid) ?? [])
            {
                descendants.Add(child);
                pending.Enqueue(child);
            }
        }

        var killed = new List<Process>();
        foreach (var pid in descendants)
        {
            try
            {
                var process = Process.GetProcessById(pid);
                process.Kill();
                killed.Add(process);
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }

        ProcFs.WaitEnded(killed);
        return killed.Count;
    }

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

/// <summary>What /proc tells about processes the tests kill.</summary>
internal static class ProcFs
{
    /// <summary>The fields of /proc/PID/stat after the command name (state first), or null when it has ended.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Not ended: its /proc entry is still there and not a zombie waiting for its parent.</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { } fields && fields[0] != "Z";

    public static int? ParentOf(int pid) =>
        Stat(pid) is { Length: > 1 } fields && int.TryParse(fields[1], System.Globalization.CultureInfo.InvariantCulture, out var parent) ? parent : null;

    /// <summary>Waits (up to 10 s in all) until the processes have ended, and disposes them.</summary>
    public static void WaitEnded(IEnumerable<Process> processes)
    {
        var clock = Stopwatch.StartNew();
        foreach (var process in processes)
        {
            while (IsAlive(process.Id) && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(10);
            }

            process.Dispose();
        }
    }
}
