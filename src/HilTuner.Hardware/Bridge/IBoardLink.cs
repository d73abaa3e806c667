namespace HilTuner.Hardware.Bridge;

/// <summary>
/// How the host reaches a board's agent: <see cref="SshLink"/>, <see cref="SerialLink"/> or <see cref="ProcessLink"/>
/// (an agent on this machine). The link knows how to connect; the <see cref="AgentClient"/> speaks the protocol over
/// what it opens, the same for every link.
/// </summary>
public interface IBoardLink : IDisposable
{
    /// <summary>ssh, serial or process.</summary>
    string Kind { get; }

    /// <summary>Where the link goes, for messages (<c>xilinx@192.168.2.99:22</c>, <c>/dev/ttyUSB1 at 115200 baud</c>).</summary>
    string Describe { get; }

    /// <summary>
    /// Bytes per second the link carries when that is slow enough to size frames by (a serial line: baud / 10), or
    /// null for links whose frames take milliseconds whatever their size (SSH, a local process).
    /// </summary>
    int? BytesPerSecond { get; }

    /// <summary>Connects and starts (or reaches) the agent; throws <see cref="LinkLostException"/> when it cannot.</summary>
    IAgentChannel Open();
}
