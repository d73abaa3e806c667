using HilTuner.Hardware.Runner;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Replay;

/// <summary>
/// Answers measurements from ground-truth tables instead of running anything (the runner's checks above a
/// <see cref="ReplayBackEnd"/>): the status, cycles and board seconds the simulator gave for that configuration. For
/// comparing tuners over many runs; its records say <c>replay</c>.
/// </summary>
public sealed class ReplayTarget(Board board, IEnumerable<GroundTruthTable> tables) : MeasurementRunner(new ReplayBackEnd(board, tables));
