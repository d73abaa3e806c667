using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Timing;

namespace HilTuner.Vta.Tests;

/// <summary>The timing model's critical path (<see cref="ModuleSchedule"/>), by hand on small streams.</summary>
[TestClass]
public sealed class ModuleScheduleTests
{
    private static readonly Board Board = TestBoards.Uncalibrated;
    private static readonly TimingModel Timing = new(Board);

    // Synchronisation-only instructions: what a module runs follows from opcode and memory type; costs are given apart.
    private static InstructionWord On(VtaModule module, DependencyFlags flags = DependencyFlags.None) => module switch
    {
        VtaModule.Load => MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, flags).Encode(Board.Isa),
        VtaModule.Store => MemoryInstruction.Nop(Opcode.Store, MemoryType.Out, flags).Encode(Board.Isa),
        _ => MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, flags).Encode(Board.Isa),
    };

    [TestMethod]
    public void ModulesOverlapUnlessATokenOrdersThem()
    {
        var f = Timing.FetchLatency;
        var d = Timing.FetchCyclesPerInstruction;
        var o = Timing.InstructionOverhead;

        // No token: the load's 100 cycles and the compute's 10 overlap; the path is the load's.
        Assert.AreEqual(f + 100, ModuleSchedule.CriticalPath([On(VtaModule.Load), On(VtaModule.Compute)], [100, 10], Timing, Board.Isa, 512));

        // The compute pops the load's token: it decodes meanwhile and runs when the token is visible, after the load's end.
        Assert.AreEqual(f + 100 + Timing.TokenLatency + (10 - o), ModuleSchedule.CriticalPath(
            [On(VtaModule.Load, DependencyFlags.PushNext), On(VtaModule.Compute, DependencyFlags.PopPrev)], [100, 10], Timing, Board.Isa, 512));

        // The store waits for compute, and compute for the store's token back: three in a row.
        Assert.AreEqual(f + 10 + 1 + (20 - o) + 1 + (30 - o), ModuleSchedule.CriticalPath(
            [On(VtaModule.Compute, DependencyFlags.PushNext), On(VtaModule.Store, DependencyFlags.PopPrev | DependencyFlags.PushPrev), On(VtaModule.Compute, DependencyFlags.PopNext)],
            [10, 20, 30], Timing, Board.Isa, 512));
        Assert.AreEqual(f + d + d + 30, ModuleSchedule.CriticalPath([On(VtaModule.Compute), On(VtaModule.Store), On(VtaModule.Load)], [1, 1, 30], Timing, Board.Isa, 512), "fetch hands one instruction out every d cycles");
    }

    [TestMethod]
    public void AFullCommandQueueHoldsBackTheInstructionsBehindIt()
    {
        var f = Timing.FetchLatency;
        var d = Timing.FetchCyclesPerInstruction;
        InstructionWord[] words = [On(VtaModule.Compute), On(VtaModule.Compute), On(VtaModule.Compute), On(VtaModule.Load)];
        long[] cycles = [100, 100, 100, 1000];

        // Deep queues: the load is handed out fourth and runs beside the computes.
        Assert.AreEqual(f + (3 * d) + 1000, ModuleSchedule.CriticalPath(words, cycles, Timing, Board.Isa, 512));

        // A queue of one: the third compute waits in fetch until the second is taken (at f + 100), and the load behind it.
        Assert.AreEqual(f + 100 + d + 1000, ModuleSchedule.CriticalPath(words, cycles, Timing, Board.Isa, 1));
    }
}
