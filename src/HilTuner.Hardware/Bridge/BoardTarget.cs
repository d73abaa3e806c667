using HilTuner.Hardware.Runner;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// A real board (or a co-simulated one) as a measurement target: the runner's policy (runtime checks, the board's health,
/// the simulator's prediction and expected output, quarantine, recovery, one retry, attribution) above a
/// <see cref="BoardBackEnd"/> (upload, run under a watchdog, read back, over a link).
/// </summary>
public sealed class BoardTarget(Board board, BoardSession session, ResetLadder ladder, Action<string>? log = null)
    : MeasurementRunner(new BoardBackEnd(board, session, ladder), log), IDisposable
{
    /// <summary>The board target a board file describes (its link and reset sections).</summary>
    public static BoardTarget Open(Board board, Action<string>? log = null)
    {
        var settings = LinkSettings.Of(board);
        var ladder = ResetLadder.Of(board);
        return new BoardTarget(board, new BoardSession(board, settings.CreateLink(log), settings, log), ladder, log);
    }

    public BoardSession Session { get; } = session;

    public ResetLadder Ladder { get; } = ladder;

    public void Dispose() => Session.Dispose();
}
