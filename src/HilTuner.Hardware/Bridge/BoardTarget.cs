using System.Diagnostics;
using System.Security.Cryptography;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// A real board (or a co-simulated one) as a measurement target: the runtime's host-side checks, then the program's
/// arena uploaded into the agent's buffer, run under a watchdog derived from the simulator's predicted time, the
/// output read back and compared bit-exact with the simulator's. A run that never raises done is recorded once as a
/// hang, its program is quarantined (never sent again), and the board is brought back by the reset ladder and a
/// health check before the next measurement. A lost link is reopened and the measurement retried once.
/// </summary>
public sealed class BoardTarget : ITarget, IDisposable
{
    private readonly SimTarget _simulator;
    private readonly Dictionary<string, Measurement> _quarantine = [];
    private readonly List<BoardEvent> _events = [];
    private readonly Lock _board = new();
    private readonly Lazy<(VtaProgram Program, OperatorTensors Tensors, sbyte[] Expected, Measurement Predicted)> _healthProgram;
    private string? _failure;
    private bool _checked;

    public BoardTarget(Board board, BoardSession session, ResetLadder ladder, Action<string>? log = null)
    {
        Board = board;
        Session = session;
        Ladder = ladder;
        Log = log;
        _simulator = new SimTarget(board);
        _healthProgram = new(HealthProgram);
    }

    /// <summary>The board target a board file describes (its link and reset sections).</summary>
    public static BoardTarget Open(Board board, Action<string>? log = null)
    {
        var settings = LinkSettings.Of(board);
        var ladder = ResetLadder.Of(board);
        return new BoardTarget(board, new BoardSession(board, settings.CreateLink(log), settings, log), ladder, log);
    }

    public Board Board { get; }

    public string Kind => "board";

    public BoardSession Session { get; }

    public ResetLadder Ladder { get; }

    public Action<string>? Log { get; }

    /// <summary>Hangs, reset steps, health checks and reconnects, in order, with their times.</summary>
    public IReadOnlyList<BoardEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Programs that hung the board (by their hash) and why; they are never sent again.</summary>
    public int Quarantined => _quarantine.Count;

    /// <summary>
    /// What the user does once the board is checked by hand, appended to the message when the reset ladder gives up:
    /// a tuning run is resumed (the default); a command without a log (<c>board run</c>) says its own.
    /// </summary>
    public string NextStep { get; set; } = "then resume the run with --resume: every measurement so far is in the log";

    /// <summary>Measurements retried after the link broke.</summary>
    public int Retries { get; private set; }

    /// <summary>Why the board can take no more measurements (its reset ladder was exhausted); null while it can.</summary>
    public string? Failure => _failure;

    /// <summary>
    /// Measures one program. A failure is charged to the program only when the board was healthy before the run and
    /// the failure is the program's: a hang the simulator predicts as well, or a hang or lost link that happens again
    /// when the program is measured a second time on a board that passed its health check in between. A board that is
    /// not healthy before its first measurement, or that cannot be brought back after a failure not yet charged,
    /// throws <see cref="BoardFailureException"/> and nothing is returned for the program.
    /// </summary>
    public Measurement Measure(VtaProgram program, OperatorTensors tensors, MeasureOptions options)
    {
        lock (_board)
        {
            if (_failure is { } failure)
            {
                throw new BoardFailureException(failure);
            }

            RequireHealthy();
            var key = Fingerprint(program.Image);
            if (_quarantine.TryGetValue(key, out var hung))
            {
                return hung with { Error = $"quarantined, not sent: {hung.Error}" };
            }

            if (RuntimeChecks.FirstFailure(program.Image, Board.Hardware.MaxTransferBytes) is { } refused)
            {
                return new Measurement { Status = MeasureStatus.RuntimeError, Error = $"runtime check: {refused}" };
            }

            // The simulator's run of the same program: its output is what the board must produce bit for bit, its
            // time sizes the watchdog, and its status tells a hang the program causes from one the board causes (an
            // accelerator fault, a runtime error on the simulator target, never raises done on a board either).
            var (predicted, expected) = _simulator.MeasureWithOutput(program, tensors, checkOutput: false);
            var name = $"{program.Workload.Name} #{program.Configuration.Index}";
            // What each kind of failure the board could also have caused said the first time: only the same kind
            // happening again, on a board brought back in between, is charged to the program (a hang and then a lost
            // link are two troubles, not one reproduced). Two kinds, so a third attempt always decides.
            string? firstHang = null, firstLinkLoss = null;
            while (true)
            {
                Measurement m;
                try
                {
                    m = MeasureOnce(program, tensors, options, predicted, expected);
                }
                catch (LinkLostException e)
                {
                    Retries++;
                    Record($"link lost during {name}: {e.Message}; reconnecting, then measuring it again", TimeSpan.Zero, false);
                    if (!TryReconnect())
                    {
                        // The reset ladder may still bring it back (a reboot, a power cycle); if not, the board is lost
                        // and the configuration is not blamed for it.
                        RecoverOrStop($"the link to {Session.Link.Describe} could not be reopened", name);
                    }

                    if (firstLinkLoss is null)
                    {
                        firstLinkLoss = $"the link broke ({e.Message})";
                        continue;
                    }

                    // Broke twice, with the board answering again after each: the program breaks the link.
                    return new Measurement
                    {
                        Status = MeasureStatus.LinkLost,
                        Error = $"{firstLinkLoss}, and broke again when measured again on the reconnected board: {e.Message}",
                        Attribution = FailureAttribution.Reproduced,
                    };
                }

                if (m.Status != MeasureStatus.Hang)
                {
                    return m.Status == MeasureStatus.Ok && predicted.Status == MeasureStatus.Ok ? m with { ModelSeconds = predicted.Seconds } : m;
                }

                if (predicted.Status is MeasureStatus.Hang or MeasureStatus.RuntimeError)
                {
                    // The program's own doing: recorded even if the board cannot be brought back after it (the run
                    // then stops at the next measurement).
                    m = m with { Attribution = FailureAttribution.Predicted };
                    _quarantine[key] = m;
                    Recover($"hang: {name}");
                    return m;
                }

                // The simulator finishes it: the board may be to blame (no bitstream, a stalled device). Bring the
                // board back, then measure the program again; only a second hang is charged to it.
                if (firstHang is null)
                {
                    RecoverOrStop($"hang: {name} (the simulator finishes it)", name);
                    firstHang = m.Error;
                    Record($"measuring {name} again on the recovered board: a hang the simulator does not predict is charged to a program only when it happens twice", TimeSpan.Zero, true);
                    continue;
                }

                m = m with
                {
                    Error = $"{m.Error}; it hung before as well ({firstHang}), the board passing its health check in between",
                    Attribution = FailureAttribution.Reproduced,
                };
                _quarantine[key] = m;
                Recover($"hang again: {name}");
                return m;
            }
        }
    }

    /// <summary>
    /// The board must pass a health check before its first measurement (climbing the reset ladder if not), so that a
    /// board without its bitstream, or left hung by an earlier run, is never taken for failing configurations. The first
    /// measurement checks it; a run calls it first to stop before anything is recorded. Throws
    /// <see cref="BoardFailureException"/> when the ladder cannot bring the board back.
    /// </summary>
    public void RequireHealthy()
    {
        lock (_board)
        {
            if (_checked)
            {
                return;
            }

            if (_failure is { } failure)
            {
                throw new BoardFailureException(failure);
            }

            var clock = Stopwatch.StartNew();
            var started = DateTimeOffset.Now;
            var problem = HealthCheck();
            if (problem is null)
            {
                Log?.Invoke($"board: health check before the first measurement passed ({clock.Elapsed.TotalSeconds:0.000} s)");
            }
            else
            {
                Record($"health check before the first measurement: {problem}", clock.Elapsed, false, started);
                try
                {
                    Ladder.Recover(Session, HealthCheck, Record);
                }
                catch (BoardFailureException e)
                {
                    _failure = $"the board was not healthy before the first measurement ({problem}), and the reset ladder did not bring it back: {e.Message}, {NextStep}. Nothing was measured or recorded in this run";
                    throw new BoardFailureException(_failure, e);
                }
            }

            _checked = true;
        }
    }

    private Measurement MeasureOnce(VtaProgram program, OperatorTensors tensors, MeasureOptions options, Measurement predicted, sbyte[]? expected, bool mayRecover = true)
    {
        var client = Session.Client;
        var hello = Session.Hello!;
        var image = program.Image;
        if (image.ArenaBytes > hello.ArenaBytes || image.Instructions.Count > hello.InstructionCapacity)
        {
            return new Measurement
            {
                Status = MeasureStatus.RuntimeError,
                Error = $"the program needs a {image.ArenaBytes}-byte arena and {image.Instructions.Count} instructions; the agent has {hello.ArenaBytes} bytes and room for {hello.InstructionCapacity} (start it with a larger --dma-size / --insn-capacity)",
            };
        }

        var resends = client.Resends;
        var sinceUpload = Stopwatch.StartNew();
        client.Write(0, Arena(image, tensors.Pack(Board.Vta)));
        var watchdog = Watchdog(predicted, options);
        var instructions = image[SegmentKind.Instructions];
        var output = image[SegmentKind.Output];
        var costs = new List<double>();
        long cycles = 0;
        byte[]? packed = null;
        for (var run = 0; run < Math.Max(1, options.Repeat); run++)
        {
            AgentRun result;
            try
            {
                result = client.Run(instructions.Offset, image.Instructions.Count, watchdog);
            }
            catch (AgentException e) when (e.Code == AgentErrorCode.Hung && mayRecover)
            {
                // Hung by something before this measurement (another tool, an earlier session): bring the board back
                // (the health check overwrites the arena) and measure from the upload on, once.
                RecoverOrStop("the agent reports the accelerator hung before this run", $"{program.Workload.Name} #{program.Configuration.Index}");
                return MeasureOnce(program, tensors, options, predicted, expected, mayRecover: false);
            }
            catch (AgentException e)
            {
                RequireSameAgent(client, resends, sinceUpload.Elapsed);
                return new Measurement { Status = MeasureStatus.RuntimeError, Error = $"the agent refused the program: {e.Code.WireName()}: {e.Text}" };
            }

            if (!result.Done)
            {
                // A restarted agent may have run what a rebooted board's memory holds: not this program's hang.
                RequireSameAgent(client, resends, sinceUpload.Elapsed);
                var what = predicted.Status == MeasureStatus.Ok
                    ? $"the simulator finishes it in {predicted.Cycles} cycles ({predicted.Seconds * 1e3:0.###} ms)"
                    : $"the simulator predicts it too: {predicted.Error}";
                return new Measurement { Status = MeasureStatus.Hang, Error = $"no done within the {watchdog.TotalMilliseconds:0} ms watchdog; {what}" };
            }

            cycles = result.Cycles;
            // With a cycle counter, board seconds as the simulator counts them (cycles at the fabric clock + launch
            // overhead); without one, the agent's own clock from the start write until done.
            costs.Add(hello.HasCycleCounter ? Board.SecondsOf(result.Cycles, image.Instructions.Count, (long)image.MicroOps.Length * VtaConfig.MicroOpBytes) : result.ElapsedMicroseconds * 1e-6);
            packed ??= client.Read(output.Offset, (int)output.Length);
        }

        RequireSameAgent(client, resends, sinceUpload.Elapsed);
        var actual = tensors.UnpackOutput(Board.Vta, packed);
        var seconds = costs[0];
        if (!options.CheckOutput)
        {
            return new Measurement { Status = MeasureStatus.Ok, Cycles = cycles, Seconds = seconds, Costs = costs };
        }

        var mismatch = expected is null ? null : OutputCheck.FirstMismatch(actual, expected) is { } differs ? $"the board's output differs from the simulator's: {differs}" : null;
        mismatch ??= OutputCheck.FirstMismatch(actual, tensors.Reference());
        return new Measurement
        {
            Status = mismatch is null ? MeasureStatus.Ok : MeasureStatus.WrongAnswer,
            Error = mismatch,
            Cycles = cycles,
            Seconds = seconds,
            Costs = mismatch is null ? costs : [],
            Matches = mismatch is null,
        };
    }

    /// <summary>
    /// A request that had to be resent after silence may have been answered by another agent: on a serial line the
    /// link stays up when the agent dies, and its restart (or the board's reboot) answers the resend, with whatever
    /// the board's memory then holds. When requests were resent, the agent's uptime must cover the whole measurement;
    /// otherwise the measurement is lost and taken again from the upload on.
    /// </summary>
    private void RequireSameAgent(AgentClient client, long resendsBefore, TimeSpan sinceUpload)
    {
        if (client.Resends == resendsBefore)
        {
            return;
        }

        var uptime = TimeSpan.FromMilliseconds(client.Status().UptimeMilliseconds);
        if (uptime < sinceUpload)
        {
            throw new LinkLostException(
                $"the agent on {Session.Link.Describe} restarted during the measurement (up {uptime.TotalMilliseconds:0} ms, the upload began {sinceUpload.TotalMilliseconds:0} ms ago): what it ran may not be what was uploaded");
        }
    }

    /// <summary>The simulator's predicted time × margin + floor, capped by the runner's timeout; the timeout alone when the simulator does not finish.</summary>
    public TimeSpan Watchdog(Measurement predicted, MeasureOptions options)
    {
        var cap = TimeSpan.FromSeconds(options.TimeoutSeconds);
        if (predicted.Status is MeasureStatus.Hang or MeasureStatus.RuntimeError || predicted.Cycles == 0)
        {
            return cap;
        }

        var settings = Session.Settings;
        var sized = TimeSpan.FromSeconds(predicted.Seconds * settings.WatchdogMargin) + settings.WatchdogFloor;
        return sized < cap ? sized : cap;
    }

    /// <summary>
    /// Hello, then a small program with a known answer; null when the board passes, otherwise what failed.
    /// </summary>
    public string? HealthCheck()
    {
        try
        {
            Session.Client.Hello();
            var (program, tensors, expected, predicted) = _healthProgram.Value;
            var client = Session.Client;
            var image = program.Image;
            client.Write(0, Arena(image, tensors.Pack(Board.Vta)));
            var run = client.Run(image[SegmentKind.Instructions].Offset, image.Instructions.Count, Watchdog(predicted, MeasureOptions.Default));
            if (!run.Done)
            {
                return "the known program did not raise done";
            }

            var output = image[SegmentKind.Output];
            var actual = tensors.UnpackOutput(Board.Vta, client.Read(output.Offset, (int)output.Length));
            return OutputCheck.FirstMismatch(actual, expected) is { } wrong ? $"the known program computed a wrong answer ({wrong})" : null;
        }
        catch (Exception e) when (e is LinkLostException or AgentException)
        {
            return e.Message;
        }
    }

    /// <summary>Climbs the reset ladder after a failure charged to the program; if the board stays down, the next measurement stops the run.</summary>
    private void Recover(string reason)
    {
        Record(reason, TimeSpan.Zero, false);
        try
        {
            Ladder.Recover(Session, HealthCheck, Record);
        }
        catch (BoardFailureException e)
        {
            // The measurement that caused this is still returned (and logged); the next one stops the run.
            _failure = $"{e.Message}, {NextStep}";
            Log?.Invoke(_failure);
        }
    }

    /// <summary>
    /// Climbs the reset ladder after a failure not (yet) charged to the program in flight; if the board stays down,
    /// the run stops now and nothing is recorded against <paramref name="program"/>.
    /// </summary>
    private void RecoverOrStop(string reason, string program)
    {
        Recover(reason);
        if (_failure is not null)
        {
            _failure = $"{_failure} ({program} was in flight and is not charged with the failure: it is measured again when the run is resumed)";
            throw new BoardFailureException(_failure);
        }
    }

    private bool TryReconnect()
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.Now;
        try
        {
            Session.Reconnect();

            // A run the old agent left behind may still occupy the accelerator: start from a clean one.
            Session.Client.Reset(ResetKind.Soft);
            Record("reconnected and soft-reset", clock.Elapsed, true, started);
            return true;
        }
        catch (Exception e) when (e is LinkLostException or AgentException)
        {
            Record($"reconnect failed: {e.Message}", clock.Elapsed, false, started);
            return false;
        }
    }

    private void Record(string what, TimeSpan took, bool ok, DateTimeOffset? at = null) =>
        Record(new BoardEvent(at ?? DateTimeOffset.Now, what, took, ok));

    private void Record(BoardEvent e)
    {
        lock (_events)
        {
            _events.Add(e);
        }

        Log?.Invoke($"board: {e}");
    }

    /// <summary>The whole arena as the agent must hold it: micro-ops, tensors, a zeroed output and the instruction stream (addresses relative to the arena).</summary>
    public static byte[] Arena(ProgramImage image, IReadOnlyDictionary<SegmentKind, byte[]> tensors)
    {
        var arena = new byte[image.ArenaBytes];
        image.WriteArena(arena, tensors);
        return arena;
    }

    /// <summary>A program's identity for the quarantine: the hash of its instructions and micro-ops.</summary>
    private static string Fingerprint(ProgramImage image)
    {
        var bytes = new byte[(image.Instructions.Count * VtaConfig.InstructionBytes) + (image.MicroOps.Length * 4)];
        ProgramImage.WriteInstructions(bytes, image.Instructions);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.MicroOps.AsSpan()).CopyTo(bytes.AsSpan(image.Instructions.Count * VtaConfig.InstructionBytes));
        return Convert.ToHexString(SHA256.HashData(bytes));
    }

    /// <summary>The health check's program: a small dense layer, its first configuration the simulator runs correctly.</summary>
    private (VtaProgram Program, OperatorTensors Tensors, sbyte[] Expected, Measurement Predicted) HealthProgram()
    {
        var workload = new DenseWorkload("health.dense64", 1, 64, 64);
        var tensors = OperatorTensors.Random(workload, 1);
        var expected = tensors.Reference();
        var space = Templates.For(workload, Board.Vta);
        for (var i = 0L; i < space.Size; i++)
        {
            if (VtaCompiler.Compile(workload, space.Get(i), Board).Program is { } program
                && _simulator.MeasureWithOutput(program, tensors).Measurement is { Status: MeasureStatus.Ok } predicted)
            {
                return (program, tensors, expected, predicted);
            }
        }

        throw new InvalidOperationException($"no configuration of {workload.Name} runs correctly on the simulator of {Board.Name}: the health check has no known program");
    }

    public void Dispose() => Session.Dispose();
}
