using System.Diagnostics;
using System.Security.Cryptography;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Bridge;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;

namespace HilTuner.Hardware.Runner;

/// <summary>
/// The one measurement policy above every back end (AutoTVM's runner; System.Device.Gpio's <c>GpioController</c> above
/// its drivers): the runtime's host-side checks, then the back end's run, then the output compared bit-exact with the
/// expected one. Above a back end whose own trouble can fail a run (<see cref="IRecoverableBackEnd"/>, a board) it also
/// checks the board's health before the first measurement, runs each program on the simulator first (its output is what
/// the board must produce, its time sizes the watchdog, its status tells the program's hangs from the board's), records
/// a hang once and quarantines its program (never sent again), brings the board back by the reset ladder, retries once
/// after a lost link, and charges a hang or a lost link to the program only when it is predicted or reproduced.
/// </summary>
public class MeasurementRunner : ITarget
{
    private readonly IRecoverableBackEnd? _recoverable;
    private readonly SimBackEnd? _oracle;
    private readonly Dictionary<string, Measurement> _quarantine = [];
    private readonly List<BoardEvent> _events = [];
    private readonly Lock _measuring = new();
    private readonly Lazy<(VtaProgram Program, OperatorTensors Tensors, sbyte[] Expected, Measurement Predicted)>? _healthProgram;
    private string? _failure;
    private bool _checked;

    public MeasurementRunner(IBackEnd backEnd, Action<string>? log = null)
    {
        BackEnd = backEnd;
        Log = log;
        if (backEnd is IRecoverableBackEnd recoverable)
        {
            _recoverable = recoverable;
            _oracle = new SimBackEnd(backEnd.Board);
            _healthProgram = new(HealthProgram);
        }
    }

    public IBackEnd BackEnd { get; }

    public string Kind => BackEnd.Kind;

    public Board Board => BackEnd.Board;

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
    /// Measures one program. On a recoverable back end a failure is charged to the program only when the board was
    /// healthy before the run and the failure is the program's: a hang the simulator predicts as well, or a hang or lost
    /// link that happens again when the program is measured a second time on a board that passed its health check in
    /// between. A board that is not healthy before its first measurement, or that cannot be brought back after a failure
    /// not yet charged, throws <see cref="BoardFailureException"/> and nothing is returned for the program.
    /// </summary>
    public Measurement Measure(VtaProgram program, OperatorTensors tensors, MeasureOptions options)
    {
        if (_recoverable is null)
        {
            return MeasureWithOutput(program, tensors, options.CheckOutput, () => BackEnd.Run(program, tensors, options, null)).Measurement;
        }

        lock (_measuring)
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

            if (RuntimeCheck(program) is { } refused)
            {
                return refused;
            }

            // The simulator's run of the same program: its output is what the board must produce bit for bit, its
            // time sizes the watchdog, and its status tells a hang the program causes from one the board causes (an
            // accelerator fault, a runtime error on the simulator target, never raises done on a board either).
            var (predicted, expected) = _oracle!.Run(program, tensors, checkRaces: false, _oracle.MaxCycles);
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
                    m = RunOnce(program, tensors, options, predicted, expected, name);
                }
                catch (LinkLostException e)
                {
                    Retries++;
                    Record($"link lost during {name}: {e.Message}; reconnecting, then measuring it again", TimeSpan.Zero, false);
                    if (!TryReconnect())
                    {
                        // The reset ladder may still bring it back (a reboot, a power cycle); if not, the board is lost
                        // and the configuration is not blamed for it.
                        RecoverOrStop($"the link to {_recoverable.Describe} could not be reopened", name);
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
                    // Every board record carries the timing model's prediction of the same program beside its costs.
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
    /// The runtime's checks, then <paramref name="run"/>, then the output compared with the reference when
    /// <paramref name="checkOutput"/>; also returns the output in its plain layout when the back end gave one.
    /// </summary>
    protected (Measurement Measurement, sbyte[]? Output) MeasureWithOutput(VtaProgram program, OperatorTensors tensors, bool checkOutput, Func<(Measurement Measurement, sbyte[]? Output)> run)
    {
        if (RuntimeCheck(program) is { } refused)
        {
            return (refused, null);
        }

        var (m, output) = run();
        return (Checked(m, output, tensors, checkOutput, expected: null), output);
    }

    /// <summary>
    /// The board must pass a health check before its first measurement (climbing the reset ladder if not), so that a
    /// board without its bitstream, or left hung by an earlier run, is never taken for failing configurations. The first
    /// measurement checks it; a run calls it first to stop before anything is recorded. Throws
    /// <see cref="BoardFailureException"/> when the ladder cannot bring the board back. Nothing to check on a back end
    /// that is not recoverable.
    /// </summary>
    public void RequireHealthy()
    {
        if (_recoverable is null)
        {
            return;
        }

        lock (_measuring)
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
                Log?.Invoke($"{Kind}: health check before the first measurement passed ({clock.Elapsed.TotalSeconds:0.000} s)");
            }
            else
            {
                Record($"health check before the first measurement: {problem}", clock.Elapsed, false, started);
                try
                {
                    _recoverable.Recover(HealthCheck, Record);
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

    /// <summary>
    /// The back end answers, then runs a small program with a known answer and gives it; null when it passes, otherwise
    /// what failed. Always null on a back end that is not recoverable.
    /// </summary>
    public string? HealthCheck()
    {
        if (_recoverable is null)
        {
            return null;
        }

        try
        {
            _recoverable.Ping();
            var (program, tensors, expected, predicted) = _healthProgram!.Value;
            var (run, output) = BackEnd.Run(program, tensors, MeasureOptions.Default with { Repeat = 1 }, predicted);
            return run.Status switch
            {
                MeasureStatus.Ok => output is not null && OutputCheck.FirstMismatch(output, expected) is { } wrong ? $"the known program computed a wrong answer ({wrong})" : null,
                MeasureStatus.Hang => "the known program did not raise done",
                _ => run.Error,
            };
        }
        catch (Exception e) when (e is LinkLostException or AgentException or AcceleratorHungException)
        {
            return e.Message;
        }
    }

    private Measurement? RuntimeCheck(VtaProgram program) =>
        RuntimeChecks.FirstFailure(program.Image, Board.Hardware.MaxTransferBytes) is { } refused
            ? new Measurement { Status = MeasureStatus.RuntimeError, Error = $"runtime check: {refused}" }
            : null;

    /// <summary>
    /// A finished run's output compared bit-exact with <paramref name="expected"/> (the simulator's, on a board) and the
    /// reference; a run without an output (a replay's recorded verdict) or not to be checked is returned as it is.
    /// </summary>
    private Measurement Checked(Measurement m, sbyte[]? output, OperatorTensors tensors, bool checkOutput, sbyte[]? expected)
    {
        if (m.Status != MeasureStatus.Ok || output is null || !checkOutput)
        {
            return m;
        }

        var mismatch = expected is null ? null : OutputCheck.FirstMismatch(output, expected) is { } differs ? $"the {Kind}'s output differs from the simulator's: {differs}" : null;
        mismatch ??= OutputCheck.FirstMismatch(output, tensors.Reference());
        return m with
        {
            Status = mismatch is null ? MeasureStatus.Ok : MeasureStatus.WrongAnswer,
            Error = mismatch,
            Costs = mismatch is null ? m.Costs : [],
            Matches = mismatch is null,
        };
    }

    private Measurement RunOnce(VtaProgram program, OperatorTensors tensors, MeasureOptions options, Measurement predicted, sbyte[]? expected, string name, bool mayRecover = true)
    {
        try
        {
            var (m, output) = BackEnd.Run(program, tensors, options, predicted);
            return Checked(m, output, tensors, options.CheckOutput, expected);
        }
        catch (AcceleratorHungException e)
        {
            if (!mayRecover)
            {
                return new Measurement { Status = MeasureStatus.RuntimeError, Error = $"the agent refused the program: {e.Refusal}" };
            }

            // Hung by something before this measurement (another tool, an earlier session): bring the board back (the
            // health check overwrites the arena) and measure from the upload on, once.
            RecoverOrStop("the agent reports the accelerator hung before this run", name);
            return RunOnce(program, tensors, options, predicted, expected, name, mayRecover: false);
        }
    }

    /// <summary>Climbs the reset ladder after a failure charged to the program; if the board stays down, the next measurement stops the run.</summary>
    private void Recover(string reason)
    {
        Record(reason, TimeSpan.Zero, false);
        try
        {
            _recoverable!.Recover(HealthCheck, Record);
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
            Record(_recoverable!.Reconnect(), clock.Elapsed, true, started);
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

        Log?.Invoke($"{Kind}: {e}");
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
                && RuntimeCheck(program) is null
                && _oracle!.Run(program, tensors, checkRaces: false, _oracle.MaxCycles) is ({ Status: MeasureStatus.Ok } predicted, { } output)
                && OutputCheck.FirstMismatch(output, expected) is null)
            {
                return (program, tensors, expected, predicted);
            }
        }

        throw new InvalidOperationException($"no configuration of {workload.Name} runs correctly on the simulator of {Board.Name}: the health check has no known program");
    }
}
