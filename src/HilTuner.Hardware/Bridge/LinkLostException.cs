namespace HilTuner.Hardware.Bridge;

/// <summary>The link to the board broke or stopped answering (after the retries the protocol allows).</summary>
public sealed class LinkLostException(string message, Exception? inner = null) : Exception(message, inner);
