using HilTuner.Vta.Isa;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class HangTests
{
    [TestMethod]
    public void APopThatNoPushWillEverSatisfyHangs()
    {
        var h = new Harness();
        h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopPrev));
        h.Program.Add(new FinishInstruction());
        var result = h.Run();

        Assert.AreEqual(RunStatus.Hang, result.Status);
        var hang = result.Hang!;
        Assert.AreEqual("no module can make progress and FINISH has not executed", hang.Cause);
        StringAssert.Contains(hang.Modules[VtaModule.Compute], "instruction 0 (LOAD  UOP  nop  [pop l2g]) is waiting to pop a token from l2g, which is empty");
        Assert.AreEqual("fetch: all 2 instructions dispatched", hang.Modules[VtaModule.Fetch]);
        StringAssert.StartsWith(hang.Modules[VtaModule.Load], "load: idle");
        Assert.AreEqual(1, hang.CommandQueues[VtaModule.Compute], "FINISH is still queued behind the stuck instruction");
        StringAssert.Contains(result.Diagnostic, "dependency queues: l2g 0/1024, g2l 0/1024, g2s 0/1024, s2g 0/1024");
        StringAssert.Contains(result.Diagnostic, "command queues: load 0/512, compute 1/512, store 0/512");
    }

    /// <summary>
    /// Store pushes three s2g tokens and compute three g2s tokens before either pops. With room for three
    /// tokens the program finishes; with room for two both pushers block on full queues that only the other
    /// would drain — a deadlock although every token is eventually pushed.
    /// </summary>
    private static Harness CrossedPushes(Harness h)
    {
        for (var i = 0; i < 3; i++)
        {
            h.Program.Add(MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PushPrev));
            h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PushNext));
        }

        for (var i = 0; i < 3; i++)
        {
            h.Program.Add(MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PopPrev));
            h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopNext));
        }

        h.Synchronize();
        return h;
    }

    [TestMethod]
    public void FullDependencyQueuesDeadlockAProgramThatDeeperQueuesFinish()
    {
        var deep = CrossedPushes(new Harness(TestBoards.WithHardware(dependencyDepth: 3))).Run();
        Assert.AreEqual(RunStatus.Finished, deep.Status, deep.Diagnostic);

        var shallow = CrossedPushes(new Harness(TestBoards.WithHardware(dependencyDepth: 2))).Run();
        Assert.AreEqual(RunStatus.Hang, shallow.Status);
        var hang = shallow.Hang!;
        StringAssert.Contains(hang.Modules[VtaModule.Store], "is waiting to push a token into s2g, which is full (2/2)");
        StringAssert.Contains(hang.Modules[VtaModule.Compute], "is waiting to push a token into g2s, which is full (2/2)");
        Assert.AreEqual(2, hang.DependencyQueues[DependencyQueueId.StoreToCompute]);
        Assert.AreEqual(2, hang.DependencyQueues[DependencyQueueId.ComputeToStore]);
    }

    [TestMethod]
    public void SaturatingCountersLoseTokensAndThePopThatNeededOneHangs()
    {
        var result = CrossedPushes(new Harness(TestBoards.WithHardware(dependencyDepth: 2, whenFull: "drop"))).Run();
        Assert.AreEqual(RunStatus.Hang, result.Status);
        Assert.AreEqual(2, result.Hang!.DroppedTokens);
        StringAssert.Contains(result.Diagnostic, "tokens lost to full dependency queues: 2");
        StringAssert.Contains(result.Hang.Modules[VtaModule.Compute], "waiting to pop a token from s2g");
    }

    /// <summary>
    /// Six loads that each wait for compute, followed in program order by the compute instructions that free
    /// them: with a 4-entry load queue fetch stalls on the sixth load and never reaches compute's instructions.
    /// </summary>
    private static Harness LoadsAheadOfTheirProducers(Harness h)
    {
        for (var i = 0; i < 6; i++)
        {
            h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PopNext));
        }

        for (var i = 0; i < 6; i++)
        {
            h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PushPrev));
        }

        h.Synchronize();
        return h;
    }

    [TestMethod]
    public void AFullCommandQueueStallsFetchInProgramOrderAndDeadlocks()
    {
        var roomy = LoadsAheadOfTheirProducers(new Harness(TestBoards.WithHardware(commandDepth: 8))).Run();
        Assert.AreEqual(RunStatus.Finished, roomy.Status, roomy.Diagnostic);

        var result = LoadsAheadOfTheirProducers(new Harness(TestBoards.WithHardware(commandDepth: 4))).Run();
        Assert.AreEqual(RunStatus.Hang, result.Status);
        var hang = result.Hang!;
        Assert.AreEqual("fetch: stalled at instruction 5 (LOAD  INP  nop  [pop g2l]): the load command queue is full", hang.Modules[VtaModule.Fetch]);
        StringAssert.Contains(hang.Modules[VtaModule.Load], "instruction 0 (LOAD  INP  nop  [pop g2l]) is waiting to pop a token from g2l");
        StringAssert.StartsWith(hang.Modules[VtaModule.Compute], "compute: idle, its command queue is empty");
        Assert.AreEqual(4, hang.CommandQueues[VtaModule.Load]);
        Assert.IsTrue(result.Module(VtaModule.Fetch).StalledCycles == 0 && result.Module(VtaModule.Fetch).IdleCycles == 0,
            "fetch never got going again: its stall is open-ended, not yet charged");
    }

    [TestMethod]
    public void AProgramWithoutFinishHangsAndSaysSo()
    {
        var h = new Harness();
        h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.None));
        h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.None));
        var result = h.Run();
        Assert.AreEqual(RunStatus.Hang, result.Status);
        Assert.AreEqual("the program ran out of instructions without a FINISH (2 instructions dispatched)", result.Hang!.Cause);
    }

    [TestMethod]
    public void AHungDeviceStaysHungUntilReset()
    {
        var h = new Harness();
        h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopPrev));
        h.Program.Add(new FinishInstruction());
        Assert.AreEqual(RunStatus.Hang, h.Run().Status);
        Assert.IsTrue(h.Sim.IsHung);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => h.Run());
        StringAssert.Contains(e.Message, "Reset()");

        h.Sim.Reset();
        var healthy = new Harness();
        healthy.Synchronize();
        var fresh = h.Sim.Dram.Allocate(healthy.Program.InstructionBytes(), "healthy");
        Assert.AreEqual(RunStatus.Finished, h.Sim.Run(fresh.PhysicalAddress, healthy.Program.Count).Status);
    }

    [TestMethod]
    public void TokensLeftOverPairWithTheNextRunsPops()
    {
        var h = new Harness();
        h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PushNext));
        h.Synchronize();
        var first = h.RunFinished();
        CollectionAssert.Contains(first.Warnings.ToList(), "1 token(s) left in l2g: on a board they pair with the next run's pops");
        Assert.AreEqual(1, h.Sim.TokensIn(DependencyQueueId.LoadToCompute));

        // A program whose compute pops l2g with no load pushing: it runs only thanks to the leftover token.
        var second = new Harness();
        second.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopPrev));
        second.Program.Add(new FinishInstruction());
        var stream = h.Sim.Dram.Allocate(second.Program.InstructionBytes(), "second");
        Assert.AreEqual(RunStatus.Finished, h.Sim.Run(stream.PhysicalAddress, second.Program.Count).Status);
        Assert.AreEqual(0, h.Sim.TokensIn(DependencyQueueId.LoadToCompute));
    }

    [TestMethod]
    public void AFinishBeforeTheLastStoreEndsTheRunAndWarns()
    {
        var h = new Harness();
        h.Program.Add(MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PopPrev));
        h.Program.Add(new FinishInstruction());
        var result = h.RunFinished();
        StringAssert.Contains(string.Join("\n", result.Warnings), "1 instruction(s) were still queued or under way when FINISH raised done");
    }

    [TestMethod]
    public void ACycleBudgetStopsAProgramThatIsMerelyLong()
    {
        var h = new Harness();
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0), new MicroOp(1, 0, 0)), 2);
        h.Program.Add(new GemmInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 2, 16383, 16383, 0, 0), 0, 0, 0, 0));
        h.Program.Add(new FinishInstruction());
        var result = h.Run(new RunOptions { MaxCycles = 100_000 });
        Assert.AreEqual(RunStatus.CycleLimitExceeded, result.Status);
        Assert.AreEqual(100_000, result.Cycles);
        Assert.IsTrue(h.Sim.IsHung, "the board would still be busy");
    }
}
