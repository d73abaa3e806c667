namespace HilTuner.Vta.Isa;

/// <summary>A configuration whose fields do not fit the 128-bit instruction or the 32-bit micro-op.</summary>
public sealed class IsaLayoutException(string configKey, string message) : Exception(message)
{
    /// <summary>The configuration key whose value makes the layout impossible.</summary>
    public string ConfigKey { get; } = configKey;
}
