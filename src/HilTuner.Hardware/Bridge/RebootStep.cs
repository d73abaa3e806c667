namespace HilTuner.Hardware.Bridge;

/// <summary>Reboots the board over SSH (its own channel, not the agent's) and waits until the agent answers again.</summary>
public sealed class RebootStep(string command, TimeSpan wait) : IResetStep
{
    public string Command { get; } = command;

    public TimeSpan Wait { get; } = wait;

    public string Name => "reboot";

    public void Apply(BoardSession session)
    {
        if (session.Link is not SshLink ssh)
        {
            throw new InvalidOperationException($"reboot needs an SSH link; {session.Link.Describe} is {session.Link.Kind}");
        }

        session.Drop();
        ssh.Execute(Command, TimeSpan.FromSeconds(30));
        ssh.Disconnect();
        PowerCycleStep.AwaitAgent(session, Wait);
    }
}
