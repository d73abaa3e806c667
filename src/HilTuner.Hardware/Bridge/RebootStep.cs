namespace HilTuner.Hardware.Bridge;

/// <summary>Reboots the board over SSH (its own channel, not the agent's) and waits until the agent answers again.</summary>
public sealed class RebootStep(string command, TimeSpan wait) : IResetStep
{
    public string Command { get; } = command;

    public TimeSpan Wait { get; } = wait;

    public string Name => "reboot";

    public void Apply(BoardSession session)
    {
        if (session.Link is not IBoardShell shell)
        {
            throw new InvalidOperationException($"reboot needs a link that runs commands on the board (ssh); {session.Link.Describe} is {session.Link.Kind}");
        }

        session.Drop();
        var (status, error) = shell.Execute(Command, TimeSpan.FromSeconds(30));
        shell.Disconnect();
        if (status is > 0)
        {
            // The board said no (sudo wants a password, no such command…): it did not reboot, and waiting for it would
            // only find the same hung board.
            var said = error.Trim() is { Length: > 0 } text ? $": {text.ReplaceLineEndings(" ")}" : string.Empty;
            throw new BoardFailureException(
                $"{session.Link.Describe}: the reboot command `{Command}` exited with status {status}{said}. " +
                "Check reset.reboot_command in the board file (the board's user may need passwordless sudo for it)");
        }

        PowerCycleStep.AwaitAgent(session, Wait);
    }
}
