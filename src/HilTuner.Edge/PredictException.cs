namespace HilTuner.Edge;

/// <summary>Bad input the predictor names and refuses (exit code 2).</summary>
public sealed class PredictException(string message) : Exception(message);
