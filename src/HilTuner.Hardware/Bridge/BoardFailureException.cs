namespace HilTuner.Hardware.Bridge;

/// <summary>
/// The board cannot be used: it does not match its board file, or every step of the reset ladder failed to bring
/// it back. Tuning stops (every measurement already made is in the log); the message says what to do.
/// </summary>
public sealed class BoardFailureException(string message, Exception? inner = null) : Exception(message, inner);
