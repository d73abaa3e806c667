using HilTuner.Vta.Config;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Runtime;

/// <summary>
/// Runs a <see cref="ProgramImage"/> on the simulator as the host runtime runs it on a board: allocate the
/// arena, copy the tensors and the relocated program into it, launch, and read the output back.
/// </summary>
public sealed class SimulatorSession(VtaSimulator simulator)
{
    public VtaSimulator Simulator { get; } = simulator;

    /// <summary>Runs <paramref name="image"/> with the given tensor bytes; returns the run and the output segment's bytes.</summary>
    public (RunResult Run, byte[] Output) Run(ProgramImage image, IReadOnlyDictionary<SegmentKind, byte[]> tensors, RunOptions? options = null)
    {
        var dram = Simulator.Dram;
        var arena = dram.Allocate(image.ArenaBytes, "arena");
        try
        {
            var relocated = Relocation.Relocate(image.Config, image.Instructions, arena.PhysicalAddress, image.ArenaBytes);
            image.WriteArena(arena.Data, tensors, relocated);
            var instructions = image[SegmentKind.Instructions];
            var host = (options ?? RunOptions.Default) with { HostMicroOpBytes = (long)image.MicroOps.Length * VtaConfig.MicroOpBytes };
            var run = Simulator.Run(arena.PhysicalAddress + (ulong)instructions.Offset, relocated.Length, host);
            var output = image[SegmentKind.Output];
            return (run, arena.Data.AsSpan((int)output.Offset, (int)output.Length).ToArray());
        }
        finally
        {
            dram.Free(arena);
        }
    }
}
