using HilTuner.Compiler.Statuses;

namespace HilTuner.Hardware.Replay;

/// <summary>How one configuration ended when it was measured on the simulator: status, cycles, board seconds, error.</summary>
public sealed record GroundTruthEntry(MeasureStatus Status, long Cycles, double Seconds, string? Error);
