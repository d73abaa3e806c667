using HilTuner.Vta.Isa;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class FaultTests
{
    private static SimulationFault Faults(Harness h)
    {
        var result = h.Run();
        Assert.AreEqual(RunStatus.RuntimeError, result.Status, result.Diagnostic);
        return result.Fault!;
    }

    [TestMethod]
    public void AnInputLoadBeyondTheBufferDepthIsARuntimeError()
    {
        var h = new Harness();
        var data = h.Zeros(16 * 16, "data");
        h.Synchronize();
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 2040, h.At(data, MemoryType.Inp), 1, 16, 16));
        var fault = Faults(h);
        Assert.AreEqual((VtaModule.Load, 4), (fault.Module, fault.InstructionIndex));
        Assert.AreEqual("writes input buffer elements [2040, 2056) beyond its depth 2048", fault.Reason);
    }

    [TestMethod]
    public void ADramAccessOutsideEveryAllocationIsARuntimeError()
    {
        var h = new Harness();
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, 0x10, 1, 1, 1));
        var fault = Faults(h);
        Assert.AreEqual(0, fault.InstructionIndex);
        Assert.AreEqual("DRAM access [0x1000, 0x1100) is outside every allocated DRAM buffer", fault.Reason);
    }

    [TestMethod]
    public void ADramAccessRunningPastItsBufferIsARuntimeError()
    {
        var h = new Harness();
        var data = h.Zeros(4 * 16, "four elements");
        var output = h.Zeros(16, "out");
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(data, MemoryType.Inp, 2), 2, 2, 2));
        var fault = Faults(h);
        StringAssert.Contains(fault.Reason, "runs past the DRAM buffer four elements");
        GC.KeepAlive(output);
    }

    [TestMethod]
    [DataRow(6, "undefined opcode 6")]
    [DataRow(7, "undefined opcode 7")]
    public void AnUndefinedOpcodeIsARuntimeError(int opcode, string reason)
    {
        var h = new Harness();
        h.Program.Add(new InstructionWord((ulong)opcode, 0));
        var fault = Faults(h);
        Assert.AreEqual((VtaModule.Compute, 0, reason), (fault.Module, fault.InstructionIndex, fault.Reason));
    }

    [TestMethod]
    [DataRow(MemoryType.Acc8Bit, "LOAD of memory type ACC8BIT (5): only VTA's functional simulator implements it, the HLS compute module does not")]
    [DataRow(MemoryType.Out, "LOAD of memory type OUT (4): the compute module loads only UOP and ACC")]
    [DataRow((MemoryType)6, "LOAD of memory type 6: the compute module loads only UOP and ACC")]
    public void ALoadOfAMemoryTypeTheHardwareLacksIsARuntimeError(MemoryType type, string reason)
    {
        var h = new Harness();
        var data = h.Zeros(64, "data");
        h.Program.Add(MemoryInstruction.Load(type, 0, data.ElementAddress(16), 1, 1, 1));
        Assert.AreEqual(reason, Faults(h).Reason);
    }

    [TestMethod]
    public void AStoreOfAnythingButTheOutputBufferIsARuntimeError()
    {
        var h = new Harness();
        var data = h.Zeros(64, "data");
        h.Program.Add(new MemoryInstruction(Opcode.Store, DependencyFlags.None, MemoryType.Inp, 0, h.At(data, MemoryType.Out), 1, 1, 1));
        var fault = Faults(h);
        Assert.AreEqual((VtaModule.Store, "STORE of memory type INP: the store module stores only the output buffer (OUT)"), (fault.Module, fault.Reason));
    }

    [TestMethod]
    public void AMicroOpIndexingBeyondABufferIsARuntimeErrorNamingTheMicroOpAndIteration()
    {
        var h = new Harness();
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0), new MicroOp(1, 2000, 0)), 2);
        h.Program.Add(new GemmInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 2, 3, 1, 0, 0), 30, 0, 0, 0));
        var fault = Faults(h);
        Assert.AreEqual((1, "micro-op 1 at iteration (2, 0) indexes input element 2060, beyond its depth 2048"), (fault.InstructionIndex, fault.Reason));
    }

    [TestMethod]
    public void MultiplyIsARuntimeErrorOnTheHlsAlu()
    {
        var h = new Harness();
        h.LoadUops(h.Uops(new MicroOp(0, 0)), 1);
        h.Program.Add(new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 1, 1, 0, 0), 0, 0, AluOpcode.Mul, true, 3));
        Assert.AreEqual("ALU opcode MUL (4): the HLS ALU implements only MIN, MAX, ADD and SHR", Faults(h).Reason);
    }

    [TestMethod]
    public void FetchingPastTheInstructionBufferIsARuntimeError()
    {
        var h = new Harness();
        h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.None));
        var stream = h.Sim.Dram.Allocate(h.Program.InstructionBytes(), "one instruction");
        var result = h.Sim.Run(stream.PhysicalAddress, 3);
        Assert.AreEqual(RunStatus.RuntimeError, result.Status);
        Assert.AreEqual((VtaModule.Fetch, 1), (result.Fault!.Module, result.Fault.InstructionIndex));
        StringAssert.Contains(result.Fault.Reason, "instruction fetch from DRAM");
    }

    [TestMethod]
    public void TheChiselBoardsSmallerMicroOpBufferFaultsWhereTheIsaAllowsIt()
    {
        // 8192 micro-ops fit the ISA's fields on every board; the DE10-Nano's Chisel build has only 2048.
        Harness Program(string board)
        {
            var h = new Harness(TestBoards.Load(board));
            h.LoadUops(h.Uops([.. Enumerable.Range(0, 16).Select(i => new MicroOp((uint)i, 0, 0))]), 16, sramBase: 2040);
            h.Synchronize();
            return h;
        }

        Assert.AreEqual(RunStatus.Finished, Program("sim.json").Run().Status);
        var fault = Faults(Program("de10-nano.json"));
        Assert.AreEqual("writes micro-op buffer entries [2040, 2056) beyond the board's micro-op buffer depth 2048", fault.Reason);
    }
}
