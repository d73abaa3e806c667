using System.IO.Ports;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// The agent on a board reached over a serial line (System.IO.Ports): raw 8N1, no flow control; the agent runs
/// there with <c>--tty DEVICE --baud N</c>. The same frames as over SSH; a noisy line costs resends, never a wrong answer.
/// Uploads and downloads go in frames of at most a second of the line's time (see <see cref="BytesPerSecond"/>), so
/// every frame fits the write timeout and the request timeout at any baud rate.
/// </summary>
public sealed class SerialLink(string device, int baud) : IBoardLink
{
    /// <summary>The <c>serial</c> link kind: the device and its baud rate.</summary>
    public static readonly LinkKind Registration = new(
        "serial",
        (s, settings) => settings with { Device = s.String("device"), Baud = s.Int("baud", 115200, 50, 16_000_000) },
        (s, _) => new SerialLink(s.Device!, s.Baud));

    public string Device { get; } = device;

    public int Baud { get; } = baud;

    public string Kind => "serial";

    /// <summary>8N1: ten bits on the line per byte.</summary>
    public int? BytesPerSecond => Math.Max(1, Baud / 10);

    public string Describe => $"{Device} at {Baud} baud";

    public IAgentChannel Open()
    {
        var port = new SerialPort(Device, Baud, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadTimeout = SerialPort.InfiniteTimeout,
            WriteTimeout = 5000,
            DtrEnable = false,
            RtsEnable = false,
        };
        try
        {
            port.Open();
            port.DiscardInBuffer();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new LinkLostException($"{Describe}: cannot open the serial line: {e.Message}", e);
        }

        return new Channel(port);
    }

    public void Dispose()
    {
    }

    private sealed class Channel(SerialPort port) : IAgentChannel
    {
        public Stream FromAgent => port.BaseStream;

        public Stream ToAgent => port.BaseStream;

        /// <summary>Closes the port; a line that vanished under it (a USB adapter pulled) fails the close, and is lost either way.</summary>
        public void Dispose()
        {
            try
            {
                port.Dispose();
            }
            catch (Exception)
            {
            }
        }
    }
}
