namespace HilTuner.Hardware.Bridge;

/// <summary>
/// An open byte stream to a running board agent: what a link gives once connected (an SSH exec channel, a serial
/// port, the pipes of a local process). Disposing it closes the stream (and ends the agent where the link owns it).
/// </summary>
public interface IAgentChannel : IDisposable
{
    /// <summary>Bytes from the agent (responses). A read returning 0 means the agent is gone.</summary>
    Stream FromAgent { get; }

    /// <summary>Bytes to the agent (requests).</summary>
    Stream ToAgent { get; }
}
