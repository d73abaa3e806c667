namespace HilTuner.Hardware.Bridge;

/// <summary>One rung of the reset ladder: something that may bring a hung board back.</summary>
public interface IResetStep
{
    /// <summary>soft, hard, reboot or power (as the board file names it).</summary>
    string Name { get; }

    /// <summary>Applies the step; throws when it could not be applied (the ladder then climbs).</summary>
    void Apply(BoardSession session);
}
