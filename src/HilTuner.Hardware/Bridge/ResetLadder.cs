using System.Diagnostics;
using System.Device.Gpio;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// The board file's <c>reset</c> section: the steps tried, in order, to bring a hung board back — the agent's soft
/// reset, its hard reset (bitstream reload), a reboot over SSH, a power cycle through a GPIO relay — each followed by a
/// health check; the first step after which the board is healthy ends the climb.
/// </summary>
/// <example><code>
/// "reset": { "ladder": ["soft", "hard", "reboot", "power"], "reboot_command": "sudo reboot", "reboot_wait_s": 180,
///            "power": { "gpio_pin": 17, "active_low": false, "off_ms": 5000, "wait_s": 180 } }
/// </code></example>
public sealed class ResetLadder(IReadOnlyList<IResetStep> steps)
{
    public static readonly IReadOnlyList<string> StepNames = ["soft", "hard", "reboot", "power"];

    private const double DaySeconds = 86_400;
    private const int MaxGpioLine = 1023;

    public IReadOnlyList<IResetStep> Steps { get; } = steps;

    /// <summary>The ladder a board file describes; without a reset section: soft, then hard.</summary>
    public static ResetLadder Of(Board board, Func<GpioController>? gpio = null)
    {
        if (board.Reset is not { } reset)
        {
            return new ResetLadder([new AgentResetStep(ResetKind.Soft), new AgentResetStep(ResetKind.Hard)]);
        }

        var s = new JsonSection(board.Source, "reset", reset);
        var names = s.Strings("ladder");
        var rebootCommand = s.OptionalString("reboot_command") ?? "sudo reboot";
        var rebootWait = TimeSpan.FromSeconds(s.Double("reboot_wait_s", 180, 0, DaySeconds, "seconds"));
        var power = s.OptionalSection("power") is { } section ? Power(section, gpio) : null;
        s.RejectUnknownKeys();
        var steps = new List<IResetStep>();
        foreach (var name in names)
        {
            steps.Add(name switch
            {
                "soft" => new AgentResetStep(ResetKind.Soft),
                "hard" => new AgentResetStep(ResetKind.Hard),
                "reboot" => new RebootStep(rebootCommand, rebootWait),
                "power" => power ?? throw s.Error("power", "missing: the ladder's power step needs gpio_pin (and optionally active_low, off_ms, wait_s)"),
                _ => throw s.Error("ladder", $"unknown step \"{name}\" (expected some of: {string.Join(", ", StepNames)})"),
            });
        }

        if (steps.Count == 0)
        {
            throw s.Error("ladder", "is empty: list at least one of soft, hard, reboot, power");
        }

        return new ResetLadder(steps);
    }

    private static PowerCycleStep Power(JsonSection power, Func<GpioController>? gpio)
    {
        var pin = power.Int("gpio_pin");
        if (pin is < 0 or > MaxGpioLine)
        {
            throw power.Error("gpio_pin", $"{pin} must be a GPIO line number between 0 and {MaxGpioLine}");
        }

        var activeLow = power.Bool("active_low", false);
        var off = TimeSpan.FromMilliseconds(power.Double("off_ms", 5000, 0, 600_000, "ms"));
        var wait = TimeSpan.FromSeconds(power.Double("wait_s", 180, 0, DaySeconds, "seconds"));
        power.RejectUnknownKeys();
        return new PowerCycleStep(new LazyRelay(() => new GpioPowerRelay((gpio ?? GpioPowerRelay.OpenController)(), pin, activeLow)), off, wait);
    }

    /// <summary>
    /// Climbs the ladder until <paramref name="healthy"/> (null: healthy; otherwise what is wrong) passes after a step.
    /// Every step and check goes to <paramref name="record"/> with its time. Throws <see cref="BoardFailureException"/>
    /// when the top is reached and the board is still not healthy.
    /// </summary>
    public void Recover(BoardSession session, Func<string?> healthy, Action<BoardEvent> record)
    {
        var outcomes = new List<string>();
        foreach (var step in Steps)
        {
            var clock = Stopwatch.StartNew();
            var started = DateTimeOffset.Now;
            try
            {
                step.Apply(session);
                record(new BoardEvent(started, $"reset step {step.Name}", clock.Elapsed, true));
            }
            catch (Exception e) when (e is LinkLostException or AgentException or InvalidOperationException or BoardFailureException)
            {
                record(new BoardEvent(started, $"reset step {step.Name}: {e.Message}", clock.Elapsed, false));
                outcomes.Add($"{step.Name}: {e.Message}");
                continue;
            }

            clock.Restart();
            started = DateTimeOffset.Now;
            var problem = healthy();
            record(new BoardEvent(started, problem is null ? "health check" : $"health check: {problem}", clock.Elapsed, problem is null));
            if (problem is null)
            {
                return;
            }

            outcomes.Add($"{step.Name}: then the health check failed: {problem}");
        }

        throw new BoardFailureException(
            $"{session.Link.Describe}: the board is still not healthy after every reset step ({string.Join("; ", outcomes)}). " +
            "Check it by hand (power, serial console, dmesg)");
    }

    /// <summary>Opens the GPIO line only when the power step is first used (hosts without GPIO can still load the board file).</summary>
    private sealed class LazyRelay(Func<IPowerRelay> open) : IPowerRelay
    {
        private IPowerRelay? _relay;

        public void SetPower(bool on) => (_relay ??= open()).SetPower(on);
    }
}
