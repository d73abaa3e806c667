namespace HilTuner.Hardware.Replay;

/// <summary>A ground-truth file that cannot be used: names the file and what is wrong with it.</summary>
public sealed class GroundTruthException(string message, Exception? inner = null) : Exception(message, inner);
