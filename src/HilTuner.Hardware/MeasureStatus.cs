namespace HilTuner.Hardware;

/// <summary>HilTuner's own, finer account of how a measurement ended (AutoTVM's error number is coarser).</summary>
public enum MeasureStatus
{
    /// <summary>Ran, finished, and (when checked) matched the reference.</summary>
    Ok,

    /// <summary>TVM's flow would not build it.</summary>
    CompileError,

    /// <summary>The runtime refused it or the accelerator faulted.</summary>
    RuntimeError,

    /// <summary>The accelerator never raised done (the watchdog fired).</summary>
    Hang,

    /// <summary>Finished, but the output differs from the reference.</summary>
    WrongAnswer,

    /// <summary>The board had to be reset (soft or hard) before it answered again; the measurement is lost.</summary>
    BoardReset,

    /// <summary>The link to the board broke during the measurement and could not be restored in time.</summary>
    LinkLost,

    /// <summary>Never sent to the target: the validity gate predicted it would fail.</summary>
    Skipped,
}

public static class MeasureStatusNames
{
    /// <summary>The status as logs and JSON name it: ok, compile_error, runtime_error, hang, wrong_answer,
    /// board_reset, link_lost, skipped.</summary>
    public static string JsonName(this MeasureStatus status) => status switch
    {
        MeasureStatus.Ok => "ok",
        MeasureStatus.CompileError => "compile_error",
        MeasureStatus.RuntimeError => "runtime_error",
        MeasureStatus.Hang => "hang",
        MeasureStatus.WrongAnswer => "wrong_answer",
        MeasureStatus.BoardReset => "board_reset",
        MeasureStatus.LinkLost => "link_lost",
        MeasureStatus.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>The status a log or JSON names (the inverse of <see cref="JsonName"/>); null for an unknown name.</summary>
    public static MeasureStatus? Parse(string name)
    {
        foreach (var status in Enum.GetValues<MeasureStatus>())
        {
            if (status.JsonName() == name)
            {
                return status;
            }
        }

        return null;
    }

    /// <summary>
    /// The closest status to an AutoTVM error number, for records that carry no status of their own: a build that
    /// failed or timed out is a compile error, a run that timed out a hang, an unknown error a runtime error.
    /// </summary>
    public static MeasureStatus FromErrorNo(int errorNo) => (MeasureErrorNo)errorNo switch
    {
        MeasureErrorNo.NoError => MeasureStatus.Ok,
        MeasureErrorNo.InstantiationError or MeasureErrorNo.CompileHost or MeasureErrorNo.CompileDevice or MeasureErrorNo.BuildTimeout => MeasureStatus.CompileError,
        MeasureErrorNo.WrongAnswer => MeasureStatus.WrongAnswer,
        MeasureErrorNo.RunTimeout => MeasureStatus.Hang,
        _ => MeasureStatus.RuntimeError,
    };

    /// <summary>True for the statuses of a configuration that was sent to the target and failed there.</summary>
    public static bool FailedOnTarget(this MeasureStatus status) =>
        status is MeasureStatus.RuntimeError or MeasureStatus.Hang or MeasureStatus.WrongAnswer or MeasureStatus.BoardReset or MeasureStatus.LinkLost;

    /// <summary>
    /// True for the failures a board can cause by itself as well as the program can (a hang, a lost link, a reset):
    /// on a board they are charged to a configuration only with a <see cref="FailureAttribution"/>.
    /// </summary>
    public static bool NeedsAttribution(this MeasureStatus status) =>
        status is MeasureStatus.Hang or MeasureStatus.LinkLost or MeasureStatus.BoardReset;

    /// <summary>AutoTVM's error number for the status.</summary>
    public static MeasureErrorNo ErrorNo(this MeasureStatus status) => status switch
    {
        MeasureStatus.Ok => MeasureErrorNo.NoError,
        MeasureStatus.CompileError => MeasureErrorNo.CompileHost,
        MeasureStatus.RuntimeError => MeasureErrorNo.RuntimeDevice,
        MeasureStatus.Hang => MeasureErrorNo.RunTimeout,
        MeasureStatus.WrongAnswer => MeasureErrorNo.WrongAnswer,

        // AutoTVM's RPC runner reports a lost session or a device that stopped answering as a runtime error.
        MeasureStatus.BoardReset or MeasureStatus.LinkLost => MeasureErrorNo.RuntimeDevice,

        // AutoTVM marks configurations it rejects before building (e.g. invalid GPU kernels) as instantiation errors.
        MeasureStatus.Skipped => MeasureErrorNo.InstantiationError,
        _ => MeasureErrorNo.UnknownError,
    };
}
