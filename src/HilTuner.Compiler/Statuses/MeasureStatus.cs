namespace HilTuner.Compiler.Statuses;

/// <summary>HilTuner's own, finer account of how a measurement ended (AutoTVM's error number is coarser).</summary>
/// <remarks>
/// The statuses sit in the compiler project, the lowest one that both the measurement back ends (Hardware) and the
/// validity model (Validity, and the edge predictor above it) see: the compiler already owns AutoTVM's vocabulary
/// (spaces, indices, entities), and the first status, a compile error, is its own verdict. Every rule about a status
/// is in its <see cref="MeasureStatusDescriptor"/>.
/// </remarks>
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

/// <summary>
/// Everything the system knows of one status.
/// </summary>
/// <param name="Status">The status.</param>
/// <param name="JsonName">Its name in logs and JSON (<c>ok</c>, <c>compile_error</c>, …).</param>
/// <param name="ErrorNo">AutoTVM's error number for it.</param>
/// <param name="FailedOnTarget">The configuration was sent to the target and failed there (what the validity model learns).</param>
/// <param name="LosesBoardTime">The board's time went into a watchdog's wait (a hang, a reset): the benchmarks charge it the timeout.</param>
/// <param name="NeedsAttribution">
/// A failure a board can cause by itself as well as the program can (a hang, a lost link, a reset): on a board it is
/// charged to a configuration only with a <c>FailureAttribution</c>.
/// </param>
public sealed record MeasureStatusDescriptor(MeasureStatus Status, string JsonName, MeasureErrorNo ErrorNo, bool FailedOnTarget, bool LosesBoardTime, bool NeedsAttribution)
{
    /// <summary>The status says something about the target: the program was measured there (ok, or failed on it) — not a compile error, not skipped.</summary>
    public bool ReachedTarget => Status == MeasureStatus.Ok || FailedOnTarget;
}

/// <summary>The statuses' descriptors, and the parsers from a JSON name and from an AutoTVM error number.</summary>
public static class MeasureStatuses
{
    /// <summary>One descriptor per status, in the enum's order.</summary>
    public static IReadOnlyList<MeasureStatusDescriptor> All { get; } =
    [
        new(MeasureStatus.Ok, "ok", MeasureErrorNo.NoError, FailedOnTarget: false, LosesBoardTime: false, NeedsAttribution: false),
        new(MeasureStatus.CompileError, "compile_error", MeasureErrorNo.CompileHost, FailedOnTarget: false, LosesBoardTime: false, NeedsAttribution: false),
        new(MeasureStatus.RuntimeError, "runtime_error", MeasureErrorNo.RuntimeDevice, FailedOnTarget: true, LosesBoardTime: false, NeedsAttribution: false),
        new(MeasureStatus.Hang, "hang", MeasureErrorNo.RunTimeout, FailedOnTarget: true, LosesBoardTime: true, NeedsAttribution: true),
        new(MeasureStatus.WrongAnswer, "wrong_answer", MeasureErrorNo.WrongAnswer, FailedOnTarget: true, LosesBoardTime: false, NeedsAttribution: false),

        // AutoTVM's RPC runner reports a lost session or a device that stopped answering as a runtime error.
        new(MeasureStatus.BoardReset, "board_reset", MeasureErrorNo.RuntimeDevice, FailedOnTarget: true, LosesBoardTime: true, NeedsAttribution: true),
        new(MeasureStatus.LinkLost, "link_lost", MeasureErrorNo.RuntimeDevice, FailedOnTarget: true, LosesBoardTime: false, NeedsAttribution: true),

        // AutoTVM marks configurations it rejects before building (e.g. invalid GPU kernels) as instantiation errors.
        new(MeasureStatus.Skipped, "skipped", MeasureErrorNo.InstantiationError, FailedOnTarget: false, LosesBoardTime: false, NeedsAttribution: false),
    ];

    /// <summary>The descriptor of a status.</summary>
    public static MeasureStatusDescriptor Describe(this MeasureStatus status) =>
        (int)status >= 0 && (int)status < All.Count ? All[(int)status] : throw new ArgumentOutOfRangeException(nameof(status));

    /// <summary>The status as logs and JSON name it.</summary>
    public static string JsonName(this MeasureStatus status) => status.Describe().JsonName;

    /// <summary>AutoTVM's error number for the status.</summary>
    public static MeasureErrorNo ErrorNo(this MeasureStatus status) => status.Describe().ErrorNo;

    /// <inheritdoc cref="MeasureStatusDescriptor.FailedOnTarget"/>
    public static bool FailedOnTarget(this MeasureStatus status) => status.Describe().FailedOnTarget;

    /// <inheritdoc cref="MeasureStatusDescriptor.NeedsAttribution"/>
    public static bool NeedsAttribution(this MeasureStatus status) => status.Describe().NeedsAttribution;

    /// <summary>The status a log or JSON names (the inverse of <see cref="JsonName"/>); null for an unknown name.</summary>
    public static MeasureStatus? Parse(string name) => All.FirstOrDefault(d => d.JsonName == name)?.Status;

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

    /// <summary>A record's status: the one it names when that is known, else the closest to its error number.</summary>
    public static MeasureStatus Of(string? name, int errorNo) => name is not null && Parse(name) is { } status ? status : FromErrorNo(errorNo);
}
