using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Programs;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class TimingTests
{
    [TestMethod]
    public void ASmallProgramTakesTheCyclesTheTimingModelGivesByHand()
    {
        // Fetch delivers instruction 0 after its 24-cycle latency. Compute: decode 4, LOAD UOP of 4 bytes
        // = 24 latency + 1 beat, decode 4, GEMM of one micro-op = 1 + 5 pipeline depth, decode 4, FINISH.
        var h = new Harness();
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0)), 1);
        h.Program.Add(new GemmInstruction(DependencyFlags.None, new MicroOpLoop(true, 0, 1, 1, 1, 0, 0), 0, 0, 0, 0));
        h.Program.Add(new FinishInstruction());
        var result = h.RunFinished();

        Assert.AreEqual(24 + 4 + 25 + 4 + 6 + 4, result.Cycles);
        var compute = result.Module(VtaModule.Compute);
        Assert.AreEqual((43L, 0L, 24L, 3L), (compute.BusyCycles, compute.StalledCycles, compute.IdleCycles, compute.Instructions));
        Assert.AreEqual((67 * 10e-9) + 20e-6, result.BoardSeconds, 1e-15, "100 MHz, plus the launch overhead");
        Assert.AreEqual(3, result.Module(VtaModule.Fetch).Instructions);
    }

    [TestMethod]
    [DataRow(3u, 2u, 4u, 8 * (3 + 5))]
    [DataRow(1u, 1u, 1u, 1 + 5)]
    [DataRow(5u, 0u, 4u, 0)]
    public void GemmPaysOneCyclePerMicroOpAndThePipelineDepthPerLoopEntry(uint uops, uint iterOut, uint iterIn, int cycles)
    {
        var h = new Harness();
        h.LoadUops(h.Uops([.. Enumerable.Range(0, (int)uops).Select(i => new MicroOp((uint)i, 0, 0))]), uops);
        h.Program.Add(new GemmInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, uops, iterOut, iterIn, 0, 0), 0, 0, 0, 0));
        h.Program.Add(new FinishInstruction());
        var result = h.RunFinished();
        var loadUop = 24 + (int)((uops * 4 + 7) / 8);
        Assert.AreEqual(4 + loadUop + 4 + cycles + 4, result.Module(VtaModule.Compute).BusyCycles);
    }

    [TestMethod]
    public void AluPaysTwoCyclesPerMicroOp()
    {
        var h = new Harness();
        h.LoadUops(h.Uops(new MicroOp(0, 0), new MicroOp(1, 0)), 2);
        h.Program.Add(new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 2, 1, 3, 0, 2), 0, 0, AluOpcode.Add, true, 1));
        h.Program.Add(new FinishInstruction());
        var result = h.RunFinished();
        Assert.AreEqual(4 + 25 + 4 + (3 * ((2 * 2) + 5)) + 4, result.Module(VtaModule.Compute).BusyCycles);
    }

    [TestMethod]
    public void DmaCostFollowsTheBoardsBusWidth()
    {
        // A 128-bit bus moves a 256-byte weight element in 16 beats instead of 32.
        static long LoadCycles(Board board)
        {
            var h = new Harness(board);
            var w = h.Zeros(4 * 256, "w");
            h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(w, MemoryType.Wgt), 2, 2, 2));
            h.Synchronize();
            return h.RunFinished().Module(VtaModule.Load).BusyCycles;
        }

        Assert.AreEqual(4 + (2 * (24 + 64)) + 4, LoadCycles(TestBoards.Uncalibrated));
        Assert.AreEqual(4 + (2 * (64 + 32)) + 4, LoadCycles(TestBoards.Load("ultra96-v2.json")));
    }

    [TestMethod]
    public void VirtualThreadsLetLoadComputeAndStoreOverlap()
    {
        var board = TestBoards.Uncalibrated;
        long Cycles(int threads, out RunResult run)
        {
            var product = TiledMatrixProduct.Create(board, new MatrixProductShape(64, 4, 8, 16, 4, threads), seed: 7);
            (run, var output) = product.Run(new VtaSimulator(board));
            Assert.AreEqual(RunStatus.Finished, run.Status, run.Diagnostic);
            CollectionAssert.AreEqual(product.Reference(), output, $"{threads} thread(s)");
            return run.Cycles;
        }

        var serial = Cycles(1, out var one);
        var overlapped = Cycles(2, out var two);
        Assert.IsTrue(overlapped < serial * 0.9, $"double buffering should hide transfers: {overlapped} vs {serial} cycles");
        var busy = two.Modules.Where(m => m.Module != VtaModule.Fetch).Sum(m => m.BusyCycles);
        Assert.IsTrue(two.Cycles < busy, $"modules ran concurrently: {two.Cycles} cycles < {busy} busy cycles summed");
        Assert.AreEqual(one.Counters, two.Counters with { UopLoadNbytes = one.Counters.UopLoadNbytes }, "the same work either way");
        Assert.AreEqual(0, two.Warnings.Count, string.Join("; ", two.Warnings));
    }

    [TestMethod]
    public void ProfilerCountersCountWhatFsimCounts()
    {
        var board = TestBoards.Uncalibrated;
        var shape = new MatrixProductShape(32, 2, 4, 16, 2, 2);
        var (run, _) = TiledMatrixProduct.Create(board, shape).Run(new VtaSimulator(board));
        var tiles = shape.Tiles;
        Assert.AreEqual(32L * 2 * 16 * (shape.OutBlocks / shape.TileOutBlocks), run.Counters.InpLoadNbytes, "each tile reloads its rows of A");
        Assert.AreEqual(4L * 2 * 256 * (shape.Rows / shape.TileRows), run.Counters.WgtLoadNbytes);
        Assert.AreEqual(32L * 4 * 16, run.Counters.OutStoreNbytes);
        Assert.AreEqual(2L * 16 * 2 * 4, run.Counters.UopLoadNbytes);
        Assert.AreEqual(tiles * 16L * 2 * 2, run.Counters.GemmCounter, "reset GEMMs are not counted");
        Assert.AreEqual(tiles * 16L * 2 * 3, run.Counters.AluCounter);
        Assert.AreEqual(0, run.Counters.AccLoadNbytes);
    }
}

[TestClass]
public sealed class AllocationTests
{
    /// <summary>Executing instructions allocates nothing: a run of 16 times more instructions allocates the same.</summary>
    [TestMethod]
    public void TheSimulatorAllocatesNothingPerInstruction()
    {
        long AllocatedBy(int tiles)
        {
            var h = new Harness();
            var data = h.Zeros(64 * 256, "data");
            var output = h.Zeros(64 * 16, "out");
            h.LoadUops(h.Uops(new MicroOp(0, 0, 0), new MicroOp(1, 1, 1)), 2);
            for (var t = 0; t < tiles; t++)
            {
                h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(data, MemoryType.Inp), 1, 2, 2, t > 0 ? DependencyFlags.PopNext : DependencyFlags.None));
                h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(data, MemoryType.Wgt), 1, 2, 2, DependencyFlags.PushNext));
                h.Program.Add(new GemmInstruction(DependencyFlags.PopPrev | (t > 0 ? DependencyFlags.PopNext : DependencyFlags.None), new MicroOpLoop(false, 0, 2, 1, 1, 0, 0), 0, 0, 0, 0));
                h.Program.Add(new AluInstruction(DependencyFlags.PushPrev | DependencyFlags.PushNext, new MicroOpLoop(false, 0, 2, 1, 1, 0, 0), 0, 0, AluOpcode.Shr, true, 8));
                h.Program.Add(MemoryInstruction.Store(0, h.At(output, MemoryType.Out), 1, 2, 2, DependencyFlags.PopPrev | DependencyFlags.PushPrev));
            }

            h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PopNext));
            h.Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopNext));
            h.Synchronize();
            var instructions = h.Sim.Dram.Allocate(h.Program.InstructionBytes(), "instructions");
            h.Sim.Run(instructions.PhysicalAddress, h.Program.Count);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var run = h.Sim.Run(instructions.PhysicalAddress, h.Program.Count);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.AreEqual(RunStatus.Finished, run.Status, run.Diagnostic);
            return allocated;
        }

        var small = AllocatedBy(20);
        var large = AllocatedBy(320);
        Assert.IsTrue(large - small < 1024, $"allocations grew with the instruction count: {small} bytes for 105 instructions, {large} for 1605");
    }
}
