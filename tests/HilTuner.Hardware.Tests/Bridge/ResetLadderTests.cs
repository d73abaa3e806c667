using System.Device.Gpio;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Bridge;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests.Bridge;

[TestClass]
public sealed class ResetLadderTests
{
    /// <summary>
    /// The host's GPIO line wired to the co-simulated board's power relay: the one fake of these tests, at the hardware
    /// boundary (no relay exists here), behind System.Device.Gpio's own driver interface. Closing the relay after it was
    /// open power-cycles the board: the accelerator comes back idle and the agent process dies with the board's Linux.
    /// </summary>
    private sealed class RelayWiredDriver(int pin, Action powerCut, Action powerRestored) : GpioDriver
    {
        private PinValue _value = PinValue.High;
        private PinMode _mode = PinMode.Input;

        public List<PinValue> Writes { get; } = [];

        protected override int PinCount => 32;

        protected override void OpenPin(int pinNumber) => Assert.AreEqual(pin, pinNumber, "the relay is on another line");

        protected override void ClosePin(int pinNumber)
        {
        }

        protected override void SetPinMode(int pinNumber, PinMode mode) => _mode = mode;

        protected override PinMode GetPinMode(int pinNumber) => _mode;

        protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

        protected override PinValue Read(int pinNumber) => _value;

        protected override void Write(int pinNumber, PinValue value)
        {
            Assert.AreEqual(PinMode.Output, _mode, "the relay line is driven as an output");
            Writes.Add(value);
            if (value == PinValue.Low && _value == PinValue.High)
            {
                powerCut();
            }
            else if (value == PinValue.High && _value == PinValue.Low)
            {
                powerRestored();
            }

            _value = value;
        }

        protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) => throw new NotSupportedException();

        protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) => throw new NotSupportedException();
    }

    /// <summary>The board's Linux dies with its power (the ladder may already have closed the agent's channel).</summary>
    private static void KillQuietly(System.Diagnostics.Process? agent)
    {
        try
        {
            agent?.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [TestMethod]
    public void WhenTheSoftResetCannotHelpThePowerRelayBringsTheBoardBack()
    {
        using var board = new CoSimBoard();

        // No PL reset register: the agent's soft reset clears its own state but not the hung accelerator.
        var reset = new JsonObject
        {
            ["ladder"] = new JsonArray("soft", "power"),
            ["power"] = new JsonObject { ["gpio_pin"] = 17, ["active_low"] = false, ["off_ms"] = 50, ["wait_s"] = 20 },
        };
        var b = Board.Load(board.WriteBoardFile(board.ProcessLink("--reset-reg", "none"), reset));
        var settings = LinkSettings.Of(b);
        var link = new ProcessLink(settings.Command);
        RelayWiredDriver? driver = null;
        var ladder = ResetLadder.Of(b, () => new GpioController(driver = new RelayWiredDriver(17,
            powerCut: () => KillQuietly(link.Agent),
            powerRestored: board.Device.PowerCycle)));
        Assert.HasCount(2, ladder.Steps);
        using var target = new BoardTarget(b, new BoardSession(b, link, settings), ladder);

        var c11 = WorkloadRegistry.Resolve("resnet18.C11");
        var tensors = OperatorTensors.Random(c11, 0);
        var program = VtaCompiler.Compile(c11, Templates.For(c11, b.Vta).Get(241), b).Program!;
        var hanging = Deadlock.Of(program);

        var options = new MeasureOptions { Repeat = 1, TimeoutSeconds = 1 };
        Assert.AreEqual(MeasureStatus.Hang, target.Measure(hanging, tensors, options).Status);
        var steps = target.Events.Select(e => (e.What, e.Succeeded)).ToList();
        Assert.AreEqual(("reset step soft", true), steps[1]);
        Assert.IsFalse(steps[2].Succeeded, "after the soft reset the accelerator is still hung: " + steps[2].What);
        StringAssert.StartsWith(steps[2].What, "health check: ");
        Assert.AreEqual(("reset step power", true), steps[3]);
        Assert.AreEqual(("health check", true), steps[4]);
        Assert.AreEqual(1, board.Device.PowerCycles);
        CollectionAssert.AreEqual(new[] { PinValue.High, PinValue.Low, PinValue.High }, driver!.Writes, "opened powered, then off, then on (active high)");
        Assert.IsTrue(target.Events.All(e => e.Time > DateTimeOffset.Now.AddMinutes(-5)), "every step has its time");

        options = options with { TimeoutSeconds = 4 };
        Assert.AreEqual(MeasureStatus.Ok, target.Measure(program, tensors, options).Status, "tuning goes on");
    }

    /// <summary>
    /// An agent that dies mid-run with its board's Linux: the link cannot be reopened, the ladder's power cycle brings
    /// the board back, and the measurement is then taken again — a lost link is not the configuration's failure.
    /// </summary>
    [TestMethod]
    public void WhenOnlyThePowerCycleReopensTheLinkTheMeasurementIsTakenAgain()
    {
        using var board = new CoSimBoard();
        var down = Path.Combine(Path.GetTempPath(), $"hiltuner-board-down-{Guid.NewGuid():N}");
        var reset = new JsonObject
        {
            ["ladder"] = new JsonArray("power"),
            ["power"] = new JsonObject { ["gpio_pin"] = 17, ["off_ms"] = 50, ["wait_s"] = 20 },
        };
        var b = Board.Load(board.WriteBoardFile(board.ProcessLink(), reset));
        var settings = LinkSettings.Of(b) with { ReconnectTries = 1, ReconnectDelay = TimeSpan.FromMilliseconds(10) };

        // While the board is down (the file exists) its agent cannot start; the power relay brings it up.
        var link = new ProcessLink(["/bin/sh", "-c", $"[ -e '{down}' ] && exit 1; exec \"$0\" \"$@\"", .. settings.Command]);
        var ladder = ResetLadder.Of(b, () => new GpioController(new RelayWiredDriver(17,
            powerCut: () => KillQuietly(link.Agent),
            powerRestored: () =>
            {
                File.Delete(down);
                board.Device.PowerCycle();
            })));
        using var target = new BoardTarget(b, new BoardSession(b, link, settings), ladder);
        board.Device.RunAccepted = run =>
        {
            if (run == 2)
            {
                File.WriteAllText(down, "down");
                AgentKill.Kill(link);
            }
        };

        try
        {
            var c11 = WorkloadRegistry.Resolve("resnet18.C11");
            var program = VtaCompiler.Compile(c11, Templates.For(c11, b.Vta).Get(241), b).Program!;
            var m = target.Measure(program, OperatorTensors.Random(c11, 0), new MeasureOptions { Repeat = 1, TimeoutSeconds = 4 });
            var events = string.Join("\n", target.Events);
            Assert.AreEqual(MeasureStatus.Ok, m.Status, m.Error + "\n" + events);
            Assert.AreEqual(1, target.Retries, events);
            Assert.AreEqual(1, board.Device.PowerCycles, events);
            Assert.IsTrue(target.Events.Any(e => e is { What: "reset step power", Succeeded: true }), events);
            Assert.AreEqual(4L, board.Device.Runs, "the health check before the first measurement, the killed run, the health check and the measurement taken again");
        }
        finally
        {
            File.Delete(down);
        }
    }

    /// <summary>
    /// The reboot command of a board file for the co-simulated board, run by the reset ladder over its own SSH channel:
    /// what a reboot does to a board, on a machine that cannot be rebooted — the board's Linux ends every agent, and
    /// at boot the PL comes up reset (the reset register at 0xF8000240 asserted, then released, written through the
    /// board's memory file as the FPGA manager would). The one stand-in of the test, at the hardware boundary.
    /// </summary>
    private static string RebootCommand(CoSimBoard board)
    {
        const ulong ResetRegister = 0xF800_0240;
        string Write(uint value)
        {
            // printf's octal escapes, little-endian: the register as the device reads it.
            var bytes = string.Concat(BitConverter.GetBytes(value).Select(b => "\\" + Convert.ToString(b, 8)));
            return $"printf '{bytes}' | dd of={board.MemoryPath} bs=1 seek={ResetRegister} conv=notrunc status=none";
        }

        // vta-agen[t]: the pattern does not match this command's own shell.
        return $"pkill -KILL -f 'vta-agen[t] .*--board-id {board.Id}'; sleep 0.2; {Write(0xF)}; sleep 0.3; {Write(0)}; echo rebooting";
    }

    [TestMethod]
    public void WhenTheSoftResetCannotHelpARebootOverSshBringsTheBoardBack()
    {
        using var sshd = new PrivateSshd();
        using var board = new CoSimBoard();

        // No PL reset register for the agent: its soft reset cannot clear the hung accelerator; the reboot does.
        var reset = new JsonObject
        {
            ["ladder"] = new JsonArray("soft", "reboot"),
            ["reboot_command"] = RebootCommand(board),
            ["reboot_wait_s"] = 30,
        };
        var b = Board.Load(board.WriteBoardFile(board.SshLink(sshd, agentExtra: ["--reset-reg", "none"]), reset));
        using var target = BoardTarget.Open(b);
        Assert.AreEqual("ssh", target.Session.Link.Kind);

        var c11 = WorkloadRegistry.Resolve("resnet18.C11");
        var tensors = OperatorTensors.Random(c11, 0);
        var program = VtaCompiler.Compile(c11, Templates.For(c11, b.Vta).Get(241), b).Program!;
        var options = new MeasureOptions { Repeat = 1, TimeoutSeconds = 1 };
        var hang = target.Measure(Deadlock.Of(program), tensors, options);
        Assert.AreEqual(MeasureStatus.Hang, hang.Status, hang.Error);

        var events = string.Join("\n", target.Events);
        var steps = target.Events.Select(e => (e.What, e.Succeeded)).ToList();
        Assert.HasCount(5, steps, events);
        Assert.AreEqual(("reset step soft", true), steps[1], events);
        Assert.IsFalse(steps[2].Succeeded, "after the soft reset the accelerator is still hung: " + events);
        StringAssert.StartsWith(steps[2].What, "health check: ");
        Assert.AreEqual(("reset step reboot", true), steps[3], events);
        Assert.AreEqual(("health check", true), steps[4], events);
        Assert.AreEqual(1L, board.Device.Resets, "the PL came up reset once, at the reboot");
        Assert.AreEqual(1, target.Quarantined);

        options = options with { TimeoutSeconds = 4 };
        var next = target.Measure(program, tensors, options);
        Assert.AreEqual(MeasureStatus.Ok, next.Status, "tuning goes on: " + next.Error);
    }

    /// <summary>
    /// A reboot command the board refuses (sudo wants a password) is a failed step with the board's own words, not a
    /// reboot: the ladder does not wait for a board that never went down, and the error says what to fix.
    /// </summary>
    [TestMethod]
    public void ARebootCommandTheBoardRefusesIsAFailedStepThatSaysWhy()
    {
        using var sshd = new PrivateSshd();
        using var board = new CoSimBoard();
        var reset = new JsonObject
        {
            ["ladder"] = new JsonArray("soft", "reboot"),
            ["reboot_command"] = "echo 'sudo: a terminal is required to read the password' >&2; exit 1",
            ["reboot_wait_s"] = 30,
        };
        var b = Board.Load(board.WriteBoardFile(board.SshLink(sshd, agentExtra: ["--reset-reg", "none"]), reset));
        using var target = BoardTarget.Open(b);

        var c11 = WorkloadRegistry.Resolve("resnet18.C11");
        var program = VtaCompiler.Compile(c11, Templates.For(c11, b.Vta).Get(241), b).Program!;
        var tensors = OperatorTensors.Random(c11, 0);
        var options = new MeasureOptions { Repeat = 1, TimeoutSeconds = 1 };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.AreEqual(MeasureStatus.Hang, target.Measure(Deadlock.Of(program), tensors, options).Status, "the hang is still recorded");

        // The board could not be brought back: the next measurement stops the run with what went wrong.
        var failure = Assert.ThrowsExactly<BoardFailureException>(() => target.Measure(program, tensors, options));
        StringAssert.Contains(failure.Message, "the reboot command `echo");
        StringAssert.Contains(failure.Message, "exited with status 1: sudo: a terminal is required to read the password");
        StringAssert.Contains(failure.Message, "reset.reboot_command");
        var reboot = target.Events.Single(e => e.What.StartsWith("reset step reboot", StringComparison.Ordinal));
        Assert.IsFalse(reboot.Succeeded, reboot.What);
        Assert.IsLessThan(30.0, clock.Elapsed.TotalSeconds, "no wait for a reboot that never happened");
        Assert.AreEqual(0L, board.Device.Resets, "nothing reset the PL");
    }

    [TestMethod]
    public void AMalformedResetSectionNamesTheKey()
    {
        using var board = new CoSimBoard();
        var path = board.WriteBoardFile(board.ProcessLink(), new JsonObject { ["ladder"] = new JsonArray("soft", "reflash") });
        var e = Assert.ThrowsExactly<BoardFileException>(() => ResetLadder.Of(Board.Load(path)));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "reset.ladder");
        StringAssert.Contains(e.Message, "reflash");

        path = board.WriteBoardFile(board.ProcessLink(), new JsonObject { ["ladder"] = new JsonArray("power") });
        e = Assert.ThrowsExactly<BoardFileException>(() => ResetLadder.Of(Board.Load(path)));
        StringAssert.Contains(e.Message, "reset.power");
        StringAssert.Contains(e.Message, "gpio_pin");
    }
}
