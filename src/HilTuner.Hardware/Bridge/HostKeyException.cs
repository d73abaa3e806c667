namespace HilTuner.Hardware.Bridge;

/// <summary>The SSH server's host key is not the board's: the connection is refused (never retried).</summary>
public sealed class HostKeyException(string message, Exception? inner = null) : Exception(message, inner);
