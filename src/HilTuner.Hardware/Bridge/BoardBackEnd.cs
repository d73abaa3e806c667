using System.Diagnostics;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware.Runner;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// A real board (or a co-simulated one) as a back end: the program's arena uploaded into the agent's buffer, run under a
/// watchdog sized by the simulator's predicted time, the output read back; the link reopened and the reset ladder
/// climbed when the runner asks. What a failure means, and what to do about it, is the runner's.
/// </summary>
public sealed class BoardBackEnd(Board board, BoardSession session, ResetLadder ladder) : IRecoverableBackEnd
{
    public Board Board { get; } = board;

    public string Kind => "board";

    public BoardSession Session { get; } = session;

    public ResetLadder Ladder { get; } = ladder;

    public string Describe => Session.Link.Describe;

    public void Ping() => Session.Client.Hello();

    public string Reconnect()
    {
        Session.Reconnect();

        // A run the old agent left behind may still occupy the accelerator: start from a clean one.
        Session.Client.Reset(ResetKind.Soft);
        return "reconnected and soft-reset";
    }

    public void Recover(Func<string?> healthy, Action<BoardEvent> record) => Ladder.Recover(Session, healthy, record);

    public (Measurement Measurement, sbyte[]? Output) Run(VtaProgram program, OperatorTensors tensors, MeasureOptions options, Measurement? predicted)
    {
        var client = Session.Client;
        var hello = Session.Hello!;
        var image = program.Image;
        if (image.ArenaBytes > hello.ArenaBytes || image.Instructions.Count > hello.InstructionCapacity)
        {
            return (new Measurement
            {
                Status = MeasureStatus.RuntimeError,
                Error = $"the program needs a {image.ArenaBytes}-byte arena and {image.Instructions.Count} instructions; the agent has {hello.ArenaBytes} bytes and room for {hello.InstructionCapacity} (start it with a larger --dma-size / --insn-capacity)",
            }, null);
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
            catch (AgentException e) when (e.Code == AgentErrorCode.Hung)
            {
                throw new AcceleratorHungException(e.Message, $"{e.Code.WireName()}: {e.Text}", e);
            }
            catch (AgentException e)
            {
                RequireSameAgent(client, resends, sinceUpload.Elapsed);
                return (new Measurement { Status = MeasureStatus.RuntimeError, Error = $"the agent refused the program: {e.Code.WireName()}: {e.Text}" }, null);
            }

            if (!result.Done)
            {
                // A restarted agent may have run what a rebooted board's memory holds: not this program's hang.
                RequireSameAgent(client, resends, sinceUpload.Elapsed);
                var what = predicted is null ? "no simulator prediction"
                    : predicted.Status == MeasureStatus.Ok
                    ? $"the simulator finishes it in {predicted.Cycles} cycles ({predicted.Seconds * 1e3:0.###} ms)"
                    : $"the simulator predicts it too: {predicted.Error}";
                return (new Measurement { Status = MeasureStatus.Hang, Error = $"no done within the {watchdog.TotalMilliseconds:0} ms watchdog; {what}" }, null);
            }

            cycles = result.Cycles;
            // With a cycle counter, board seconds as the simulator counts them (cycles at the fabric clock + launch
            // overhead); without one, the agent's own clock from the start write until done.
            costs.Add(hello.HasCycleCounter ? Board.SecondsOf(result.Cycles, image.Instructions.Count, (long)image.MicroOps.Length * VtaConfig.MicroOpBytes) : result.ElapsedMicroseconds * 1e-6);
            packed ??= client.Read(output.Offset, (int)output.Length);
        }

        RequireSameAgent(client, resends, sinceUpload.Elapsed);
        return (new Measurement { Status = MeasureStatus.Ok, Cycles = cycles, Seconds = costs[0], Costs = costs }, tensors.UnpackOutput(Board.Vta, packed));
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
    public TimeSpan Watchdog(Measurement? predicted, MeasureOptions options)
    {
        var cap = TimeSpan.FromSeconds(options.TimeoutSeconds);
        if (predicted is null || predicted.Status is MeasureStatus.Hang or MeasureStatus.RuntimeError || predicted.Cycles == 0)
        {
            return cap;
        }

        var settings = Session.Settings;
        var sized = TimeSpan.FromSeconds(predicted.Seconds * settings.WatchdogMargin) + settings.WatchdogFloor;
        return sized < cap ? sized : cap;
    }

    /// <summary>The whole arena as the agent must hold it: micro-ops, tensors, a zeroed output and the instruction stream (addresses relative to the arena).</summary>
    public static byte[] Arena(ProgramImage image, IReadOnlyDictionary<SegmentKind, byte[]> tensors)
    {
        var arena = new byte[image.ArenaBytes];
        image.WriteArena(arena, tensors);
        return arena;
    }
}
