namespace HilTuner.Hardware.Bridge;

/// <summary>Switches the board's power (a relay on a GPIO line of the host, or anything else that can).</summary>
public interface IPowerRelay
{
    void SetPower(bool on);
}
