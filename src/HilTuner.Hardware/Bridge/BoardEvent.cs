namespace HilTuner.Hardware.Bridge;

/// <summary>Something that happened to the board (a hang, a reset step, a reconnect, a health check), with its time.</summary>
public sealed record BoardEvent(DateTimeOffset Time, string What, TimeSpan Took, bool Succeeded)
{
    public override string ToString() =>
        $"{Time:yyyy-MM-dd HH:mm:ss.fff} {What} ({(Succeeded ? "ok" : "failed")}, {Took.TotalSeconds:0.000} s)";
}
