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

        if (client.ClosedReason is not null)
        {
            // The connection broke meanwhile (a lost channel during the health check): a new one may well reach the board.
            client = session.Reconnect();
        }

        try
        {
            client.Reset(Kind);
        }
        catch (LinkLostException) when (client.ClosedReason is not null)
        {
            session.Reconnect().Reset(Kind);
        }
    }
}
