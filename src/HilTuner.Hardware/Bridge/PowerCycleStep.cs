using System.Diagnostics;

namespace HilTuner.Hardware.Bridge;

/// <summary>Cuts the board's power through a relay, restores it, and waits until the agent answers again.</summary>
public sealed class PowerCycleStep(IPowerRelay relay, TimeSpan off, TimeSpan wait) : IResetStep
{
    public TimeSpan Off { get; } = off;

    public TimeSpan Wait { get; } = wait;

    public string Name => "power";

    public void Apply(BoardSession session)
    {
        session.Drop();
        relay.SetPower(false);
        Thread.Sleep(Off);
        relay.SetPower(true);
        AwaitAgent(session, Wait);
    }

    /// <summary>Reconnects until the agent answers or <paramref name="wait"/> has passed (the board boots meanwhile).</summary>
    internal static void AwaitAgent(BoardSession session, TimeSpan wait)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                session.Connect();
                return;
            }
            catch (LinkLostException) when (clock.Elapsed < wait)
            {
                Thread.Sleep(TimeSpan.FromSeconds(2));
            }
        }
    }
}
