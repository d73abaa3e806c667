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
}

public static class MeasureStatusNames
{
    /// <summary>The status as logs and JSON name it: ok, compile_error, runtime_error, hang, wrong_answer.</summary>
    public static string JsonName(this MeasureStatus status) => status switch
    {
        MeasureStatus.Ok => "ok",
        MeasureStatus.CompileError => "compile_error",
        MeasureStatus.RuntimeError => "runtime_error",
        MeasureStatus.Hang => "hang",
        MeasureStatus.WrongAnswer => "wrong_answer",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>AutoTVM's error number for the status.</summary>
    public static MeasureErrorNo ErrorNo(this MeasureStatus status) => status switch
    {
        MeasureStatus.Ok => MeasureErrorNo.NoError,
        MeasureStatus.CompileError => MeasureErrorNo.CompileHost,
        MeasureStatus.RuntimeError => MeasureErrorNo.RuntimeDevice,
        MeasureStatus.Hang => MeasureErrorNo.RunTimeout,
        MeasureStatus.WrongAnswer => MeasureErrorNo.WrongAnswer,
        _ => MeasureErrorNo.UnknownError,
    };
}
