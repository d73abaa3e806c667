using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// A board file's <c>link</c> section: how to reach the agent (ssh, serial or a local process), how patiently to talk
/// to it, and the watchdog that decides a run has hung. Every problem names the file and the key.
/// </summary>
/// <example>
/// <code>
/// "link": { "kind": "ssh", "host": "192.168.2.99", "user": "xilinx", "key": "~/.ssh/id_ed25519",
///           "host_key_sha256": "…", "agent": "sudo /home/xilinx/vta-agent --stdio --target pynq …" }
/// "link": { "kind": "serial", "device": "/dev/ttyUSB1", "baud": 115200 }
/// "link": { "kind": "process", "command": ["firmware-stubs/build/host/vta-agent", "--stdio", …] }
/// </code>
/// </example>
public sealed record LinkSettings
{
    private const double HourMs = 3_600_000;

    public required string Kind { get; init; }

    public string? Host { get; init; }
    public int Port { get; init; } = 22;
    public string? User { get; init; }

    /// <summary>The OpenSSH private key (ed25519 or RSA) for key authentication.</summary>
    public string? Key { get; init; }

    /// <summary>The pinned host key: its SHA-256 fingerprint as <c>ssh-keygen -lf</c> prints it (with or without <c>SHA256:</c>).</summary>
    public string? HostKeySha256 { get; init; }

    /// <summary>A known_hosts file to find the host key in when no fingerprint is pinned.</summary>
    public string? KnownHosts { get; init; }

    /// <summary>Connect to a host whose key is neither pinned nor known (never the default).</summary>
    public bool AllowUnknownHostKey { get; init; }

    /// <summary>The command that starts the agent on the board (ssh) or here (process).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    public string? Device { get; init; }
    public int Baud { get; init; } = 115200;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int Retries { get; init; } = 3;

    /// <summary>The watchdog: a run gets the simulator's predicted time × <see cref="WatchdogMargin"/> + <see cref="WatchdogFloor"/>.</summary>
    public double WatchdogMargin { get; init; } = 4;

    public TimeSpan WatchdogFloor { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Reconnecting after a lost link: tries, and the back-off between them (doubling up to a cap).</summary>
    public int ReconnectTries { get; init; } = 5;

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>The link kinds a board file may name (<see cref="LinkKind.All"/>).</summary>
    public static IReadOnlyList<string> Kinds => [.. LinkKind.All.Select(k => k.Name)];

    /// <summary>The board's link section, or a clear error when it has none or it is malformed.</summary>
    public static LinkSettings Of(Board board)
    {
        if (board.Link is not { } link)
        {
            throw new BoardFileException(board.Source, "link",
                "missing: a board target needs a link section (kind ssh with host, user, key and agent; kind serial with device and baud; or kind process with command)");
        }

        var s = new JsonSection(board.Source, "link", link);
        var kind = s.String("kind");
        var registered = LinkKind.Find(kind) ?? throw s.Error("kind", $"unknown link kind \"{kind}\" (expected one of: {string.Join(", ", Kinds)})");
        var settings = registered.Read(s, new LinkSettings { Kind = kind }) with
        {
            RequestTimeout = TimeSpan.FromMilliseconds(s.Double("request_timeout_ms", 5000, 1, HourMs, "ms")),
            Retries = s.Int("retries", 3, 0, 100),
            WatchdogMargin = s.Double("watchdog_margin", 4, 1, 1000, "(times the simulator's time)"),
            WatchdogFloor = TimeSpan.FromMilliseconds(s.Double("watchdog_floor_ms", 500, 0, HourMs, "ms")),
            ReconnectTries = s.Int("reconnect_tries", 5, 1, 1000),
            ReconnectDelay = TimeSpan.FromMilliseconds(s.Double("reconnect_delay_ms", 500, 0, HourMs, "ms")),
        };
        s.RejectUnknownKeys();
        return settings;
    }

    /// <summary>Opens the link the settings describe (<see cref="Of"/> refuses any other kind when the board file is read).</summary>
    public IBoardLink CreateLink(Action<string>? log = null) =>
        (LinkKind.Find(Kind) ?? throw new InvalidOperationException($"unknown link kind \"{Kind}\" (known: {string.Join(", ", Kinds)})")).Open(this, log);

    /// <summary>
    /// Checks a board file's link and reset sections when it is read, so that a bad value is refused naming the file
    /// and the key before any command uses the board, not when a board target happens to open.
    /// </summary>
    public static Board Checked(Board board)
    {
        if (board.Link is not null)
        {
            _ = Of(board);
        }

        if (board.Reset is not null)
        {
            _ = ResetLadder.Of(board);
        }

        return board;
    }

    internal static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
