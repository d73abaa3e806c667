using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Bridge;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests.Bridge;

/// <summary>
/// The board target over the real agent (a local process over stdio) on a co-simulated board: what it measures must
/// be what the simulator target measures, and a hang or a lost agent must cost one record and nothing more.
/// </summary>
[TestClass]
public sealed class BoardTargetTests
{
    private static readonly Workload C11 = WorkloadRegistry.Resolve("resnet18.C11");
    private static readonly OperatorTensors Tensors = OperatorTensors.Random(C11, 0);
    private static readonly MeasureOptions Options = new() { Repeat = 1, TimeoutSeconds = 4 };

    private static VtaProgram Compile(long index) =>
        VtaCompiler.Compile(C11, Templates.For(C11, Repository.UncalibratedBoard.Vta).Get(index), Repository.UncalibratedBoard).Program!;

    /// <summary>Program 241 with one extra pop on its first instruction: it deadlocks.</summary>
    private static VtaProgram Deadlocking() => Deadlock.Of(Compile(241));

    [TestMethod]
    public void EveryStatusAndCycleCountIsTheSimulatorTargets()
    {
        using var board = new CoSimBoard();
        using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(board.ProcessLink())));
        var sim = new SimTarget(Repository.UncalibratedBoard);

        // ok, runtime error (the host runtime's check), wrong answer (the accumulator hazard the runtime cannot see)
        foreach (var index in new long[] { 241, 2, 0 })
        {
            var program = Compile(index);
            var expected = sim.Measure(program, Tensors, Options);
            var actual = target.Measure(program, Tensors, Options);
            Assert.AreEqual(expected.Status, actual.Status, $"#{index}: {actual.Error}");
            Assert.AreEqual(expected.Cycles, actual.Cycles, $"#{index}");
            Assert.AreEqual(expected.Seconds, actual.Seconds, 1e-15, $"#{index}");
            CollectionAssert.AreEqual(expected.Costs.ToArray(), actual.Costs.ToArray(), $"#{index}");
        }

        Assert.AreEqual(3, board.Device.Runs, "the health check before the first measurement, then two; the runtime error never reached the board");
        Assert.AreEqual("board", target.Kind);
    }

    [TestMethod]
    public void AHangIsDetectedRecordedOnceResetAndQuarantined()
    {
        using var board = new CoSimBoard();
        using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(board.ProcessLink())));
        var hanging = Deadlocking();
        Assert.AreEqual(MeasureStatus.Hang, new SimTarget(Repository.UncalibratedBoard).Measure(hanging, Tensors, Options).Status, "precondition: the simulator deadlocks on it");

        var hang = target.Measure(hanging, Tensors, Options with { TimeoutSeconds = 1 });
        Assert.AreEqual(MeasureStatus.Hang, hang.Status);
        Assert.AreEqual(FailureAttribution.Predicted, hang.Attribution, "the simulator deadlocks on it too");
        StringAssert.Contains(hang.Error, "no done within the 1000 ms watchdog");
        Assert.AreEqual(1, target.Quarantined);

        var events = target.Events.Select(e => e.What).ToList();
        CollectionAssert.AreEqual(new[] { "hang: resnet18.C11 #241", "reset step soft", "health check" }, events, string.Join("\n", target.Events));
        Assert.IsTrue(target.Events.Skip(1).All(e => e.Succeeded));
        Assert.AreEqual(1, board.Device.Resets, "the agent's soft reset pulsed the PL reset the device watches");

        // The next measurement succeeds; the hung program is never sent again.
        Assert.AreEqual(MeasureStatus.Ok, target.Measure(Compile(241), Tensors, Options).Status);
        var runs = board.Device.Runs;
        var again = target.Measure(hanging, Tensors, Options);
        Assert.AreEqual(MeasureStatus.Hang, again.Status);
        StringAssert.StartsWith(again.Error, "quarantined, not sent");
        Assert.AreEqual(runs, board.Device.Runs);
    }

    [TestMethod]
    public void AnAgentKilledMidRunIsReconnectedAndTheMeasurementRetriedOnce()
    {
        using var board = new CoSimBoard();
        using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(board.ProcessLink())));
        var link = (ProcessLink)target.Session.Link;
        board.Device.RunAccepted = run =>
        {
            if (run == 2)
            {
                AgentKill.Kill(link);
            }
        };

        var m = target.Measure(Compile(241), Tensors, Options);
        Assert.AreEqual(MeasureStatus.Ok, m.Status, m.Error);
        Assert.AreEqual(1, target.Retries);
        Assert.AreEqual(1, target.Session.Reconnects);
        Assert.AreEqual(3, board.Device.Runs, "the health check before the first measurement, the killed run and its retry");
        Assert.IsTrue(target.Events.Any(e => e.What.StartsWith("link lost during resnet18.C11 #241", StringComparison.Ordinal)), string.Join("\n", target.Events));
    }

    [TestMethod]
    public void AnAgentKilledMidRunOverSshIsReconnectedAndTheMeasurementRetriedOnce()
    {
        using var sshd = new PrivateSshd();
        using var board = new CoSimBoard();
        using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(board.SshLink(sshd))));
        var killed = 0;
        board.Device.RunAccepted = run =>
        {
            if (run == 2)
            {
                // The agent that sshd started for this session dies while the accelerator runs; the SSH server lives on.
                killed = board.KillAgents();
            }
        };

        var m = target.Measure(Compile(241), Tensors, Options);
        Assert.AreEqual(1, killed, "the agent sshd started was found and killed");
        AssertRetriedOnceAfterTheLoss(target, board, m);
        Assert.AreEqual(MeasureStatus.Ok, target.Measure(Compile(241), Tensors, Options).Status, "the new channel goes on measuring");
        Assert.AreEqual(1, target.Session.Reconnects);
    }

    [TestMethod]
    public void AnAgentKilledMidRunOnASerialLineIsNoticedByItsUptimeAndTheMeasurementTakenAgainOnce()
    {
        using var pty = new PtyPair();
        using var board = new CoSimBoard();
        var agents = new List<TtyAgent> { new(pty.Board, board.AgentOptions()) };
        try
        {
            using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(CoSimBoard.SerialLink(pty))));
            board.Device.RunAccepted = run =>
            {
                if (run == 2)
                {
                    // The agent on the board's end of the line dies mid-run, and its service manager starts it again.
                    agents[0].Dispose();
                    agents.Add(new TtyAgent(pty.Board, board.AgentOptions()));
                }
            };

            // A serial line does not drop when the agent dies: the unanswered RUN is resent, byte for byte, and the
            // restarted agent runs it. The board target cannot know what the new agent ran (after a reboot the
            // board's memory is gone), so it takes the measurement again from the upload on.
            var m = target.Measure(Compile(241), Tensors, Options);
            var events = string.Join("\n", target.Events);
            Assert.AreEqual(MeasureStatus.Ok, m.Status, m.Error + "\n" + events);
            Assert.AreEqual(1, target.Retries, events);
            var lost = target.Events.Where(e => e.What.StartsWith("link lost during resnet18.C11 #241", StringComparison.Ordinal)).ToList();
            Assert.HasCount(1, lost, events);
            StringAssert.Contains(lost[0].What, "restarted during the measurement", "noticed after a resend, by the agent's uptime");
            Assert.AreEqual(4, board.Device.Runs, "the health check, the killed run, the resent one, and the measurement taken again");
            Assert.AreEqual(new SimTarget(Repository.UncalibratedBoard).Measure(Compile(241), Tensors, Options).Cycles, m.Cycles);
            Assert.AreEqual(MeasureStatus.Ok, target.Measure(Compile(241), Tensors, Options).Status, "the restarted agent goes on measuring");
            Assert.AreEqual(5, board.Device.Runs, "one run for the next measurement");
        }
        finally
        {
            foreach (var agent in agents)
            {
                agent.Dispose();
            }
        }
    }

    /// <summary>One result, Ok, after one retry on a reconnected link; the killed run and its retry both reached the board.</summary>
    private static void AssertRetriedOnceAfterTheLoss(BoardTarget target, CoSimBoard board, Measurement m)
    {
        var events = string.Join("\n", target.Events);
        Assert.AreEqual(MeasureStatus.Ok, m.Status, m.Error + "\n" + events);
        Assert.AreEqual(1, target.Retries, events);
        Assert.AreEqual(1, target.Session.Reconnects, events);
        Assert.AreEqual(3, board.Device.Runs, "the health check before the first measurement, the killed run and its retry");
        Assert.AreEqual(1, target.Events.Count(e => e.What.StartsWith("link lost during resnet18.C11 #241", StringComparison.Ordinal)), events);
        var expected = new SimTarget(Repository.UncalibratedBoard).Measure(Compile(241), Tensors, Options);
        Assert.AreEqual(expected.Cycles, m.Cycles, "the retry measured what the simulator measures");
    }

    [TestMethod]
    public void ABoardWhoseLadderFailsStopsTheRunAfterRecordingTheHang()
    {
        using var board = new CoSimBoard();

        // No soft reset register: the device stays hung, the health check fails, the ladder (soft only) is exhausted.
        var path = board.WriteBoardFile(board.ProcessLink("--reset-reg", "none"), new System.Text.Json.Nodes.JsonObject { ["ladder"] = new System.Text.Json.Nodes.JsonArray("soft") });
        using var target = BoardTarget.Open(Board.Load(path));
        var hang = target.Measure(Deadlocking(), Tensors, Options with { TimeoutSeconds = 1 });
        Assert.AreEqual(MeasureStatus.Hang, hang.Status);
        var failure = Assert.ThrowsExactly<BoardFailureException>(() => target.Measure(Compile(241), Tensors, Options));
        StringAssert.Contains(failure.Message, "still not healthy after every reset step");
        StringAssert.Contains(failure.Message, "--resume");
    }

    [TestMethod]
    public void ABoardThatCannotBeReachedStopsTheRunBeforeAnythingIsMeasured()
    {
        using var board = new CoSimBoard();
        var link = board.ProcessLink();
        link["command"] = new System.Text.Json.Nodes.JsonArray("/nonexistent/vta-agent", "--stdio");
        link["reconnect_tries"] = 1;
        link["reconnect_delay_ms"] = 10;
        using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(link, new System.Text.Json.Nodes.JsonObject { ["ladder"] = new System.Text.Json.Nodes.JsonArray("soft") })));
        var failure = Assert.ThrowsExactly<BoardFailureException>(() => target.Measure(Compile(241), Tensors, Options));
        StringAssert.Contains(failure.Message, "not healthy before the first measurement");
        StringAssert.Contains(failure.Message, "Nothing was measured or recorded");
        Assert.ThrowsExactly<BoardFailureException>(() => target.Measure(Compile(241), Tensors, Options), "and it stays stopped");
        Assert.AreEqual(0, board.Device.Runs);
    }

    [TestMethod]
    public void ABoardWithoutItsAcceleratorStopsTheRunBeforeItsFirstMeasurementAndIsUsedOnceItIsBack()
    {
        // The agent answers, but nothing behind the registers runs (no bitstream, no co-simulation device yet).
        using var board = new CoSimBoard(startDevice: false);
        var path = board.WriteBoardFile(board.ProcessLink(), new System.Text.Json.Nodes.JsonObject { ["ladder"] = new System.Text.Json.Nodes.JsonArray("soft") });
        using (var target = BoardTarget.Open(Board.Load(path)))
        {
            var failure = Assert.ThrowsExactly<BoardFailureException>(() => target.Measure(Compile(241), Tensors, Options with { TimeoutSeconds = 1 }));
            StringAssert.Contains(failure.Message, "not healthy before the first measurement (the known program did not raise done)");
            Assert.AreEqual(0, target.Quarantined, "no program is blamed");
        }

        board.Device.Start();
        using var again = BoardTarget.Open(Board.Load(path));
        var m = again.Measure(Compile(241), Tensors, Options);
        Assert.AreEqual(MeasureStatus.Ok, m.Status, m.Error);
    }

    [TestMethod]
    public void ABoardThatLocksUpByItselfIsNotChargedToTheProgramInFlight()
    {
        using var board = new CoSimBoard();
        using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(board.ProcessLink())));
        board.Device.RunAccepted = run =>
        {
            if (run == 2)
            {
                board.Device.LockUp();
            }
        };

        // The simulator finishes #241: the hang is the board's until it happens again on a healthy board.
        var m = target.Measure(Compile(241), Tensors, Options with { TimeoutSeconds = 1 });
        var events = string.Join("\n", target.Events);
        Assert.AreEqual(MeasureStatus.Ok, m.Status, m.Error + "\n" + events);
        Assert.IsNull(m.Attribution);
        Assert.AreEqual(0, target.Quarantined);
        CollectionAssert.AreEqual(
            new[] { "hang: resnet18.C11 #241 (the simulator finishes it)", "reset step soft", "health check" },
            target.Events.Take(3).Select(e => e.What).ToArray(), events);
        Assert.AreEqual(4, board.Device.Runs, "the health check, the run that locked up, the health check after the reset, the run again");
    }

    [TestMethod]
    public void AHangTheSimulatorDoesNotPredictIsChargedWhenItHappensAgainOnAHealthyBoard()
    {
        using var board = new CoSimBoard();
        using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(board.ProcessLink())));
        board.Device.RunAccepted = run =>
        {
            if (run is 2 or 4)
            {
                board.Device.LockUp();
            }
        };

        var m = target.Measure(Compile(241), Tensors, Options with { TimeoutSeconds = 1 });
        Assert.AreEqual(MeasureStatus.Hang, m.Status, string.Join("\n", target.Events));
        Assert.AreEqual(FailureAttribution.Reproduced, m.Attribution);
        StringAssert.Contains(m.Error, "it hung before as well");
        Assert.AreEqual(1, target.Quarantined);
        var runs = board.Device.Runs;
        var again = target.Measure(Compile(241), Tensors, Options);
        StringAssert.StartsWith(again.Error, "quarantined, not sent");
        Assert.AreEqual(FailureAttribution.Reproduced, again.Attribution);
        Assert.AreEqual(runs, board.Device.Runs, "a charged program is never sent again");
        Assert.IsNull(target.HealthCheck(), "the board is back after the second hang");
    }

    /// <summary>
    /// A hang the simulator does not predict, then a lost link when the program is measured again: two troubles of the
    /// board, not one reproduced — the program is measured a third time and its result stands (found by the fault
    /// campaign, tools/fault-campaign.sh).
    /// </summary>
    [TestMethod]
    public void AHangAndThenALostLinkAreNotAReproduction()
    {
        using var board = new CoSimBoard();
        using var target = BoardTarget.Open(Board.Load(board.WriteBoardFile(board.ProcessLink())));
        var link = (ProcessLink)target.Session.Link;
        board.Device.RunAccepted = run =>
        {
            if (run == 2)
            {
                board.Device.LockUp();
            }
            else if (run == 4)
            {
                // run 3 is the health check after the reset; run 4, the program measured again, loses its agent
                AgentKill.Kill(link);
            }
        };

        var m = target.Measure(Compile(241), Tensors, Options with { TimeoutSeconds = 1 });
        var events = string.Join("\n", target.Events);
        Assert.AreEqual(MeasureStatus.Ok, m.Status, m.Error + "\n" + events);
        Assert.IsNull(m.Attribution);
        Assert.AreEqual(0, target.Quarantined);
        Assert.AreEqual(1, target.Retries, events);
        Assert.AreEqual(5, board.Device.Runs, "the health check, the hang, the health check after the reset, the run whose agent died, the run that counts");
    }

    [TestMethod]
    public void ABoardLostWithAProgramInFlightStopsTheRunWithoutChargingIt()
    {
        using var board = new CoSimBoard();

        // No PL reset register: once locked up, nothing on the ladder (soft only) brings the board back.
        var path = board.WriteBoardFile(board.ProcessLink("--reset-reg", "none"), new System.Text.Json.Nodes.JsonObject { ["ladder"] = new System.Text.Json.Nodes.JsonArray("soft") });
        using var target = BoardTarget.Open(Board.Load(path));
        board.Device.RunAccepted = run =>
        {
            if (run == 2)
            {
                board.Device.LockUp();
            }
        };

        var failure = Assert.ThrowsExactly<BoardFailureException>(() => target.Measure(Compile(241), Tensors, Options with { TimeoutSeconds = 1 }));
        StringAssert.Contains(failure.Message, "resnet18.C11 #241 was in flight and is not charged");
        Assert.AreEqual(0, target.Quarantined);
        Assert.AreEqual(failure.Message, target.Failure);
    }

    [TestMethod]
    public void TheChiselRegisterMapOfTheDe10NanoWorksTheSameWay()
    {
        // The VCR block, the cycle counter at VCR + 0x04 and the 0x80000000 bus offset of the DE10-Nano.
        using var board = new CoSimBoard("de10-nano.json");
        Assert.AreEqual(Vta.Config.HardwareBuild.Chisel, board.Base.Hardware.Build);
        var b = Board.Load(board.WriteBoardFile(board.ProcessLink()));
        using var target = BoardTarget.Open(b);
        var sim = new SimTarget(b);
        foreach (var index in new long[] { 241, 0 })
        {
            var program = VtaCompiler.Compile(C11, Templates.For(C11, b.Vta).Get(index), b).Program!;
            var expected = sim.Measure(program, Tensors, Options);
            var actual = target.Measure(program, Tensors, Options);
            Assert.AreEqual(expected.Status, actual.Status, $"#{index}: {actual.Error}");
            Assert.AreEqual(expected.Cycles, actual.Cycles, $"#{index}");
        }

        Assert.AreEqual("de10nano", target.Session.Hello!.Target);
        Assert.AreEqual(3, board.Device.Runs, "the health check before the first measurement, then two");
    }
}
