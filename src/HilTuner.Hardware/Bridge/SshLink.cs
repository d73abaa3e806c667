using HilTuner.IO;
using HilTuner.Vta.Config;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// The agent on a board reached over SSH (SSH.NET): key authentication, the host key checked against the pinned
/// SHA-256 fingerprint or a known_hosts file (an unknown or changed key is refused unless the board file allows it),
/// keep-alive, and one long-lived exec channel running the agent with <c>--stdio</c> per session.
/// </summary>
public sealed class SshLink(LinkSettings settings, Action<string>? log = null) : IBoardLink, IBoardShell
{
    /// <summary>The <c>ssh</c> link kind: host, port, user, key, the host key (pinned or known), the agent's command, keep-alive.</summary>
    public static readonly LinkKind Registration = new("ssh", ReadSettings, (s, log) => new SshLink(s, log));

    private static LinkSettings ReadSettings(JsonSection s, LinkSettings settings)
    {
        settings = settings with
        {
            Host = s.String("host", 253),
            Port = s.Int("port", 22, 1, 65535),
            User = s.String("user", 64),
            Key = LinkSettings.ExpandHome(s.String("key")),
            HostKeySha256 = s.OptionalString("host_key_sha256"),
            KnownHosts = s.OptionalString("known_hosts") is { } known ? LinkSettings.ExpandHome(known) : null,
            AllowUnknownHostKey = s.Bool("allow_unknown_host_key", false),
            Command = [s.String("agent")],
            KeepAlive = TimeSpan.FromSeconds(s.Double("keepalive_s", 15, 0, 86_400, "seconds")),
        };
        return settings.HostKeySha256 is null && settings.KnownHosts is null && !settings.AllowUnknownHostKey
            ? throw s.Error("host_key_sha256", "missing: pin the board's host key (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the board, or ssh-keyscan), or give known_hosts")
            : settings;
    }

    private SshClient? _client;

    public LinkSettings Settings { get; } = settings;

    public string Kind => "ssh";

    public int? BytesPerSecond => null;

    public string Describe => $"{Settings.User}@{Settings.Host}:{Settings.Port}";

    /// <summary>The host key fingerprint the server presented last (SHA-256, unpadded base64).</summary>
    public string? PresentedHostKey { get; private set; }

    public IAgentChannel Open()
    {
        var client = Connect();
        SshCommand? command = null;
        try
        {
            command = client.CreateCommand(Settings.Command[0]);
            var run = command.ExecuteAsync();
            var input = command.CreateInputStream();
            return new Channel(this, command, run, input);
        }
        catch (Exception e) when (e is SshException or IOException or InvalidOperationException)
        {
            // The connection is in doubt too: the next try connects afresh instead of reusing it.
            try
            {
                command?.Dispose();
            }
            catch (Exception)
            {
            }

            Disconnect();
            throw new LinkLostException($"{Describe}: cannot start the agent (`{Settings.Command[0]}`): {e.Message}", e);
        }
    }

    /// <summary>
    /// Runs a command on the board over its own channel (the reset ladder's reboot): its exit status and what it wrote
    /// on stderr; the status is null when the command ended without one: by a signal, or with the connection dropped
    /// under it (as a reboot does).
    /// </summary>
    /// <exception cref="LinkLostException">The command did not end within <paramref name="timeout"/> while the connection stayed up.</exception>
    public (int? ExitStatus, string Error) Execute(string command, TimeSpan timeout)
    {
        var client = Connect();
        using var ssh = client.CreateCommand(command);
        ssh.CommandTimeout = timeout;
        try
        {
            ssh.Execute();
            return (ssh.ExitStatus, ssh.Error ?? string.Empty);
        }
        catch (SshOperationTimeoutException e)
        {
            Disconnect(); // the command may still hold the channel: start afresh
            throw new LinkLostException($"{Describe}: `{command}` did not end within {timeout.TotalSeconds:0} s", e);
        }
        catch (Exception e) when (e is SshException or IOException or ObjectDisposedException)
        {
            return (null, string.Empty); // a reboot drops the connection before the command can answer
        }
    }

    /// <summary>A step of tearing a channel down failed: the connection is in doubt, and the next open connects afresh.</summary>
    private void Lost(string step, Exception e)
    {
        log?.Invoke($"ssh: {step} on {Describe} failed ({e.GetType().Name}: {e.Message}): the link is lost, the connection dropped");
        Disconnect();
    }

    /// <summary>Drops the SSH connection (the next <see cref="Open"/> connects again).</summary>
    public void Disconnect()
    {
        var client = _client;
        _client = null;
        if (client is not null)
        {
            // A dropped connection fails its goodbye in ways of its own (a SocketException for a broken pipe, an
            // SshException, a disposed socket): the connection is gone either way.
            try
            {
                client.Disconnect();
            }
            catch (Exception)
            {
            }

            try
            {
                client.Dispose();
            }
            catch (Exception)
            {
            }
        }
    }

    private SshClient Connect()
    {
        if (_client is { IsConnected: true } connected)
        {
            return connected;
        }

        Disconnect();
        PrivateKeyFile key;
        try
        {
            InputFile.Check(Settings.Key!, InputFile.MiB);
            key = new PrivateKeyFile(Settings.Key!);
        }
        catch (Exception e) when (e is IOException or SshException or UnauthorizedAccessException or ArgumentException)
        {
            throw new BoardFailureException($"{Settings.Key}: cannot read the SSH private key for {Describe}: {e.Message}", e);
        }

        var info = new ConnectionInfo(Settings.Host!, Settings.Port, Settings.User!, new PrivateKeyAuthenticationMethod(Settings.User!, key))
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
        var client = new SshClient(info) { KeepAliveInterval = Settings.KeepAlive };

        // SSH.NET's reader thread reports a dropped connection here (before it closes its side).
        client.ErrorOccurred += (_, e) => log?.Invoke($"ssh: the connection to {Describe} failed: {e.Exception.Message}");
        string? refusal = null;
        client.HostKeyReceived += (_, e) =>
        {
            PresentedHostKey = e.FingerPrintSHA256;
            refusal = HostKeyProblem(e);
            e.CanTrust = refusal is null;
        };
        try
        {
            client.Connect();
        }
        catch (Exception e) when (e is SshException or System.Net.Sockets.SocketException or IOException or TimeoutException)
        {
            client.Dispose();
            if (refusal is not null)
            {
                throw new HostKeyException(refusal, e);
            }

            throw new LinkLostException($"{Describe}: cannot connect: {e.Message}", e);
        }

        log?.Invoke($"ssh: connected to {Describe} (host key SHA256:{PresentedHostKey})");
        _client = client;
        return client;
    }

    /// <summary>Why the presented host key is not trusted, or null when it is.</summary>
    private string? HostKeyProblem(HostKeyEventArgs e)
    {
        var presented = e.FingerPrintSHA256;
        if (Settings.HostKeySha256 is { } pinned)
        {
            var expected = pinned.StartsWith("SHA256:", StringComparison.Ordinal) ? pinned["SHA256:".Length..] : pinned;
            return expected.TrimEnd('=') == presented.TrimEnd('=')
                ? null
                : $"{Describe}: the host key changed: the server presents SHA256:{presented}, the board file pins SHA256:{expected}. " +
                  "If the board was reinstalled, check the new key on the board (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and update link.host_key_sha256; otherwise someone else answers at this address";
        }

        if (Settings.KnownHosts is { } knownHosts)
        {
            var known = KnownHosts.Fingerprints(knownHosts, Settings.Host!, Settings.Port);
            if (known.Contains(presented.TrimEnd('=')))
            {
                return null;
            }

            if (known.Count > 0)
            {
                return $"{Describe}: the host key changed: the server presents SHA256:{presented}, {knownHosts} knows {string.Join(", ", known.Select(k => "SHA256:" + k))} for this host";
            }
        }

        return Settings.AllowUnknownHostKey
            ? null
            : $"{Describe}: unknown host key SHA256:{presented}: pin it in the board file (link.host_key_sha256) after checking it on the board, or set link.allow_unknown_host_key";
    }

    public void Dispose() => Disconnect();

    private sealed class Channel(SshLink link, SshCommand command, Task run, Stream input) : IAgentChannel
    {
        public Stream FromAgent => command.OutputStream;

        public Stream ToAgent => input;

        /// <summary>
        /// Sends EOF (the agent exits) and closes the channel. Over a connection that dropped, any of these steps may
        /// throw (a <see cref="System.Net.Sockets.SocketException"/> "Broken pipe" for the EOF, an SshException, a
        /// faulted run): the link is then lost, and the connection is dropped so that the next open connects afresh.
        /// Nothing escapes: a teardown during a reconnect must not end the process.
        /// </summary>
        public void Dispose()
        {
            try
            {
                input.Dispose(); // EOF: the agent exits
                if (!run.Wait(TimeSpan.FromSeconds(2)))
                {
                    command.CancelAsync();
                }
            }
            catch (Exception e)
            {
                link.Lost("closing the agent's channel", e);
            }

            try
            {
                command.Dispose();
            }
            catch (Exception e)
            {
                link.Lost("disposing the agent's command", e);
            }
        }
    }
}
