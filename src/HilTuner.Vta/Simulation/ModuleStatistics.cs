using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>How one module spent the run, in cycles.</summary>
/// <param name="BusyCycles">Taking, decoding and executing instructions (fetch: reading and dispatching them).</param>
/// <param name="StalledCycles">Blocked on a dependency token, on a full dependency queue, or (fetch) on a full command queue.</param>
/// <param name="IdleCycles">Waiting for instructions (its command queue empty), or done.</param>
/// <param name="Instructions">Instructions it took (fetch: dispatched).</param>
public sealed record ModuleStatistics(VtaModule Module, long BusyCycles, long StalledCycles, long IdleCycles, long Instructions);
