namespace HilTuner.Validity;

/// <summary>A validity model that cannot be trained or used: says what is wrong and what to do.</summary>
public sealed class ValidityModelException(string message, Exception? inner = null) : Exception(message, inner);
