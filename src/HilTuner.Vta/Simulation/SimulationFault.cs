using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>What made a run end in <see cref="RunStatus.RuntimeError"/>.</summary>
/// <param name="Module">The module that executed the instruction.</param>
/// <param name="InstructionIndex">The instruction's index in the program (its position in the instruction stream).</param>
/// <param name="Reason">What was wrong, in the accelerator's words.</param>
/// <param name="Cycle">When it happened.</param>
public sealed record SimulationFault(VtaModule Module, int InstructionIndex, string Reason, long Cycle)
{
    public override string ToString() =>
        $"instruction {InstructionIndex} ({Module.ToString().ToLowerInvariant()} module, cycle {Cycle}): {Reason}";
}

/// <summary>Thrown inside the simulator to end a run with a <see cref="SimulationFault"/>.</summary>
internal sealed class SimulationFaultException(SimulationFault fault) : Exception(fault.ToString())
{
    public SimulationFault Fault { get; } = fault;
}
