using HilTuner.Hardware.Bridge;

namespace HilTuner.Hardware.Tests.Bridge;

/// <summary>Kills a process link's agent from the co-simulation device's thread (a run accepted), as a crash would.</summary>
internal static class AgentKill
{
    /// <summary>
    /// Kills the agent and waits for it to die. The process object is read once: once the agent is dead the link may let
    /// go of it (and start another) while this still runs on the device's thread, and an exception there would end the
    /// whole test process.
    /// </summary>
    public static void Kill(ProcessLink link)
    {
        var agent = link.Agent!;
        try
        {
            agent.Kill();
            agent.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // The link found the agent dead and disposed of its process object first: it is gone either way.
        }
    }
}
