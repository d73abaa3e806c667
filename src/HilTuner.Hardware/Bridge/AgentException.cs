namespace HilTuner.Hardware.Bridge;

/// <summary>The agent answered a request with an error code (docs/protocol.md §7).</summary>
public sealed class AgentException(MessageType request, AgentErrorCode code, uint argument, string text)
    : Exception($"the board agent refused {request.ToString().ToUpperInvariant()}: {code.WireName()} (arg {argument}): {text}")
{
    public MessageType Request { get; } = request;
    public AgentErrorCode Code { get; } = code;

    /// <summary>The number qualifying the error (an instruction index, a capacity, a limit…).</summary>
    public uint Argument { get; } = argument;

    public string Text { get; } = text;
}
