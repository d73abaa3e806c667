namespace HilTuner.Hardware.Bridge;

/// <summary>The agent's own reset: soft (PL reset pulse, run state cleared) or hard (also the bitstream reloaded).</summary>
public sealed class AgentResetStep(ResetKind kind) : IResetStep
{
    public ResetKind Kind { get; } = kind;

    public string Name => Kind == ResetKind.Soft ? "soft" : "hard";

    public void Apply(BoardSession session)
    {
        AgentClient client;
        try
        {
            client = session.Client;
        }
        catch (LinkLostException)
        {
            client = session.Reconnect();
        }

        client.Reset(Kind);
    }
}
