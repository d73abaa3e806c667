using System.Device.Gpio;

namespace HilTuner.Hardware.Bridge;

/// <summary>A relay on a GPIO line (System.Device.Gpio): the line drives the relay that powers the board.</summary>
public sealed class GpioPowerRelay : IPowerRelay, IDisposable
{
    private readonly GpioController _controller;

    /// <param name="controller">The host's GPIO controller (the default one opens the first gpiochip).</param>
    /// <param name="pin">The line number driving the relay.</param>
    /// <param name="activeLow">The relay closes (board powered) when the line is low.</param>
    public GpioPowerRelay(GpioController controller, int pin, bool activeLow)
    {
        _controller = controller;
        Pin = pin;
        ActiveLow = activeLow;
        _controller.OpenPin(pin, PinMode.Output, activeLow ? PinValue.Low : PinValue.High);
    }

    public int Pin { get; }

    public bool ActiveLow { get; }

    /// <summary>The host's GPIO controller, or a clear error when the host has none.</summary>
    public static GpioController OpenController()
    {
        try
        {
            return new GpioController();
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException or DllNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new BoardFailureException($"the power relay needs GPIO on this host, and there is none usable ({e.GetType().Name}: {e.Message}); remove \"power\" from reset.ladder or run the tuner on the host wired to the relay", e);
        }
    }

    public void SetPower(bool on) => _controller.Write(Pin, on != ActiveLow ? PinValue.High : PinValue.Low);

    public void Dispose() => _controller.Dispose();
}
