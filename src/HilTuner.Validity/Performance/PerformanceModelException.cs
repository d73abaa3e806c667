namespace HilTuner.Validity.Performance;

/// <summary>A performance model that cannot be trained or used: says which input and what is wrong.</summary>
public sealed class PerformanceModelException(string message, Exception? inner = null) : Exception(message, inner);
