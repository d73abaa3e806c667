using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// One kind of link a board file may name in <c>link.kind</c>: how it reads its own keys of the link section (the keys
/// every link shares are read by <see cref="LinkSettings.Of"/>) and how it opens. The kinds are registered in
/// <see cref="All"/>, one per link's file; a kind that is not registered is an error where the board file is read.
/// </summary>
public sealed record LinkKind(string Name, Func<JsonSection, LinkSettings, LinkSettings> Read, Func<LinkSettings, Action<string>?, IBoardLink> Open)
{
    /// <summary>Every link kind HilTuner has.</summary>
    public static IReadOnlyList<LinkKind> All { get; } = [SshLink.Registration, SerialLink.Registration, ProcessLink.Registration];

    /// <summary>The kind named <paramref name="name"/>; null when there is none.</summary>
    public static LinkKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}

/// <summary>A link that can also run a command on the board over a channel of its own (the reset ladder's reboot step).</summary>
public interface IBoardShell
{
    /// <summary>Runs <paramref name="command"/> on the board: its exit status (null when it ended without one, e.g. by a reboot) and its stderr.</summary>
    (int? ExitStatus, string Error) Execute(string command, TimeSpan timeout);

    /// <summary>Drops the connection the command ran over.</summary>
    void Disconnect();
}
