using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Runner;

/// <summary>
/// The mechanism of a target (as a System.Device.Gpio driver is to its <c>GpioController</c>): it runs a program and
/// says how the run ended, nothing more. The runtime's checks, the comparison with the expected output, quarantine,
/// retries and attribution are the <see cref="MeasurementRunner"/>'s, the same above every back end.
/// </summary>
public interface IBackEnd
{
    /// <summary><c>sim</c>, <c>replay</c> or <c>board</c>: how the measurements were obtained (logged with every record).</summary>
    string Kind { get; }

    /// <summary>The board whose VTA configuration and limits the back end has.</summary>
    Board Board { get; }

    /// <summary>
    /// Runs a program the runtime's checks passed. Returns <see cref="Compiler.Statuses.MeasureStatus.Ok"/> with the
    /// cycles, seconds, costs and the output in its plain layout (null where the back end keeps no output: a replay
    /// answers with the verdict it recorded), <see cref="Compiler.Statuses.MeasureStatus.Hang"/> when the run never
    /// finished, or <see cref="Compiler.Statuses.MeasureStatus.RuntimeError"/> for a fault of the accelerator or a
    /// program the back end cannot take. <paramref name="predicted"/> is the simulator's run of the same program when
    /// the runner has one (a board sizes its watchdog by it). A lost link throws <see cref="Bridge.LinkLostException"/>;
    /// an accelerator found hung before the run throws <see cref="AcceleratorHungException"/>.
    /// </summary>
    (Measurement Measurement, sbyte[]? Output) Run(VtaProgram program, OperatorTensors tensors, MeasureOptions options, Measurement? predicted);
}

/// <summary>
/// A back end whose failures its own trouble can also cause (a board: its link, its agent, its device). Above it the
/// runner checks the board's health before the first measurement, predicts each program on the simulator, quarantines
/// programs that hang, brings the board back after a failure and measures again, and charges a failure to a program
/// only when it is predicted or reproduced.
/// </summary>
public interface IRecoverableBackEnd : IBackEnd
{
    /// <summary>Where the board is reached, for messages (<c>xilinx@192.168.2.99:22</c>).</summary>
    string Describe { get; }

    /// <summary>Checks that the board answers (the agent's HELLO); throws like <see cref="IBackEnd.Run"/> when it does not.</summary>
    void Ping();

    /// <summary>Reopens the link after it broke and leaves the accelerator clean; returns what was done, throws when it cannot.</summary>
    string Reconnect();

    /// <summary>
    /// Climbs the reset ladder until <paramref name="healthy"/> returns null, recording each step; throws
    /// <see cref="Bridge.BoardFailureException"/> when no step brings the board back.
    /// </summary>
    void Recover(Func<string?> healthy, Action<Bridge.BoardEvent> record);
}

/// <summary>The accelerator was found hung before the run was started (by an earlier run or another tool): not the program's doing.</summary>
public sealed class AcceleratorHungException(string message, string refusal, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The refusal in the words a measurement reports it (<c>hung: …</c>).</summary>
    public string Refusal { get; } = refusal;
}
