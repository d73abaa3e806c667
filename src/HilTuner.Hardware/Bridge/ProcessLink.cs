using System.Diagnostics;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// An agent started on this machine with <c>--stdio</c> (a board with its own Linux running the tuner, or a
/// co-simulated board in development): the agent's stdin and stdout are the link, its stderr goes to <see cref="Log"/>.
/// </summary>
public sealed class ProcessLink(IReadOnlyList<string> command, Action<string>? log = null) : IBoardLink
{
    /// <summary>The <c>process</c> link kind: the agent's command line on this machine.</summary>
    public static readonly LinkKind Registration = new(
        "process",
        (s, settings) => settings with { Command = s.Strings("command") is { Count: > 0 } command ? command : throw s.Error("command", "must name the agent's program") },
        (s, log) => new ProcessLink(s.Command, log));

    public IReadOnlyList<string> Command { get; } = command.Count > 0 ? command : throw new ArgumentException("the agent's command line is empty", nameof(command));

    public string Kind => "process";

    public int? BytesPerSecond => null;

    public string Describe => $"local agent {Path.GetFileName(Command[0])} over stdio";

    /// <summary>The agent's stderr lines.</summary>
    public Action<string>? Log { get; } = log;

    /// <summary>The process of the channel opened last (for tests that kill the agent).</summary>
    public Process? Agent { get; private set; }

    public IAgentChannel Open()
    {
        var start = new ProcessStartInfo(Command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new LinkLostException($"could not start {Describe}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LinkLostException($"could not start the agent {Command[0]}: {e.Message} (build it with `make -C firmware-stubs host`)", e);
        }

        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Log?.Invoke(line);
            }
        };
        process.BeginErrorReadLine();
        Agent = process;
        return new Channel(process);
    }

    public void Dispose()
    {
    }

    private sealed class Channel(Process process) : IAgentChannel
    {
        public Stream FromAgent => process.StandardOutput.BaseStream;

        public Stream ToAgent => process.StandardInput.BaseStream;

        public void Dispose()
        {
            try
            {
                // The agent exits when its input ends; kill it if it does not.
                process.StandardInput.Close();
                if (!process.WaitForExit(2000))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(2000);
                }
            }
            catch (Exception)
            {
                // The agent is gone or cannot be ended (a broken pipe on closing its input, a kill that fails): the
                // link is lost either way, and the next open starts a new agent.
            }

            process.Dispose();
        }
    }
}
