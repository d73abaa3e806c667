using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Simulation;
using HilTuner.Vta.Timing;

namespace HilTuner.Vta.Tests;

/// <summary>
/// The hardware effects of the timing model beyond one latency per row — AXI bursts and the outstanding bound, one
/// memory port shared by the modules, fixed costs per opcode, the host side of a call — each on small programs whose
/// cycles are worked out by hand, and each leaving the default board's numbers as they were.
/// </summary>
[TestClass]
public sealed class HardwareEffectsTests
{
    private static Board WithTiming(Func<TimingParameters, TimingParameters> edit) =>
        TestBoards.Uncalibrated with { Timing = edit(TestBoards.Uncalibrated.Timing) };

    [TestMethod]
    [DataRow(128L, 0UL, 1L)]
    [DataRow(129L, 0UL, 2L)]
    [DataRow(256L, 0UL, 2L)]
    [DataRow(128L, 4096UL - 64, 2L)]
    [DataRow(128L, (3 * 4096UL) - 128, 1L)]
    [DataRow(64L, 4096UL - 64, 1L)]
    [DataRow(4096L * 4, 0UL, 128L)]
    [DataRow(4096L * 4, 4096UL - 16, 129L)]
    [DataRow(0L, 100UL, 0L)]
    public void ARowIsCutIntoBurstsOfSixteenBeatsAndAtEvery4KBoundary(long bytes, ulong address, long bursts)
    {
        // 64-bit bus: a 16-beat burst carries 128 bytes.
        Assert.AreEqual(bursts, new TimingModel(TestBoards.Uncalibrated).Bursts(bytes, address));
    }

    [TestMethod]
    public void ByDefaultARowCostsItsLatencyAndItsBeatsWhereverItStarts()
    {
        var timing = new TimingModel(TestBoards.Uncalibrated);
        Assert.IsFalse(timing.AddressMatters);
        foreach (var (bytes, address) in new[] { (16L, 0UL), (128L, 4096UL - 64), (65536L, 4000UL), (4L, 4094UL) })
        {
            Assert.AreEqual(24 + ((bytes + 7) / 8), timing.DmaRow(bytes, address), $"{bytes} bytes at {address}");
        }
    }

    [TestMethod]
    [DataRow(1, 10, 512L, 24 + 64 + (3 * 10), "one burst at a time: each of the 3 later bursts waits its round trip")]
    [DataRow(2, 10, 512L, 24 + 64, "a second burst's 16 beats cover a 10-cycle round trip")]
    [DataRow(2, 40, 512L, 24 + 64 + (40 - 16), "the second window of two bursts waits 40 - 16 cycles")]
    [DataRow(4, 40, 512L, 24 + 64, "all 4 bursts in flight at once")]
    [DataRow(3, 100, 1024L, 24 + 128 + (2 * (100 - 32)), "8 bursts in windows of 3: two later windows wait 100 - 2 * 16")]
    public void TheOutstandingBoundExposesEachLaterWindowsRoundTrip(int outstanding, int latency, long bytes, long cycles, string why)
    {
        var timing = new TimingModel(WithTiming(t => t with { MaxOutstandingBursts = outstanding, BurstLatencyCycles = latency }));
        Assert.AreEqual(cycles, timing.DmaRow(bytes, 0), why);
    }

    [TestMethod]
    public void ARowCrossingA4KBoundaryCostsOneMoreBurst()
    {
        // One burst in flight at a time, 10 cycles a round trip. A LOAD of 8 input elements (128 bytes, 16 beats) is one
        // burst from a page boundary, two from 64 bytes before one: decode 4, the row (24 + 16 [+ 10]), the
        // closing no-op's decode 4.
        var board = WithTiming(t => t with { MaxOutstandingBursts = 1, BurstLatencyCycles = 10 });
        long LoadCycles(Board b, uint element)
        {
            var h = new Harness(b);
            var data = h.Zeros(3 * 4096, "data");
            h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(data, MemoryType.Inp, element), 1, 8, 8));
            h.Synchronize();
            return h.RunFinished().Module(VtaModule.Load).BusyCycles;
        }

        Assert.AreEqual(4 + (24 + 16) + 4, LoadCycles(board, 256), "from a page boundary: one burst");
        Assert.AreEqual(4 + (24 + 16 + 10) + 4, LoadCycles(board, 252), "across a 4 KB boundary: two bursts, one more round trip");
        Assert.AreEqual(4 + (24 + 16) + 4, LoadCycles(TestBoards.Uncalibrated, 252), "no outstanding bound: the second burst's round trip is hidden");
    }

    [TestMethod]
    public void AStoreRowPaysItsBurstsToo()
    {
        // 16 output elements (256 bytes, 2 bursts) one at a time: 24 + 32 + one more round trip of 10.
        var h = new Harness(WithTiming(t => t with { MaxOutstandingBursts = 1, BurstLatencyCycles = 10 }));
        var output = h.Zeros(4096, "out");
        h.Program.Add(MemoryInstruction.Store(0, h.At(output, MemoryType.Out), 1, 16, 16));
        h.Synchronize();
        Assert.AreEqual(4 + (24 + 32 + 10) + 4, h.RunFinished().Module(VtaModule.Store).BusyCycles);
    }

    /// <summary>
    /// Load reads 4 weight tiles (1024 bytes, 128 beats) while compute reads 16 accumulators (1024 bytes, 128 beats).
    /// Load asks at cycle 28 (fetch's 24, decode 4), compute at 30. Apart, each has the bus to itself and ends 24 + 128
    /// cycles after asking; on one port the second's beats follow the first's.
    /// </summary>
    [TestMethod]
    public void TwoModulesLoadingAtOnceShareOnePort()
    {
        static RunResult Run(bool shared, bool both)
        {
            var h = new Harness(WithTiming(t => t with { SharedPort = shared }));
            var weights = h.Zeros(4 * 256, "w");
            var acc = h.Zeros(16 * 64, "acc");
            h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(weights, MemoryType.Wgt), 1, 4, 4));
            if (both)
            {
                h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 0, h.At(acc, MemoryType.Acc), 1, 16, 16));
            }

            h.Synchronize();
            return h.RunFinished();
        }

        var apart = Run(shared: false, both: true);
        var together = Run(shared: true, both: true);
        Assert.AreEqual(4 + 24 + 128 + 4, apart.Module(VtaModule.Load).BusyCycles);
        Assert.AreEqual(4 + 24 + 128 + 4 + 4, apart.Module(VtaModule.Compute).BusyCycles);
        Assert.IsGreaterThan(apart.Cycles, together.Cycles, "sharing the port takes longer");
        Assert.IsGreaterThanOrEqualTo(28 + 24 + 128 + 128, together.Cycles, "both rows' beats pass one port, one beat a cycle");
        var compute = together.Module(VtaModule.Compute);
        Assert.AreEqual(
            apart.Module(VtaModule.Compute).BusyCycles + (182 - 54),
            compute.BusyCycles,
            "compute's data would start at 54; load's beats hold the read channel from 52 to 180, fetch's read of the next instruction to 182");

        // One stream alone has the port to itself: the load takes the same cycles either way (only fetch's reads of
        // the closing instructions wait behind its row).
        Assert.AreEqual(Run(shared: false, both: false).Module(VtaModule.Load).BusyCycles, Run(shared: true, both: false).Module(VtaModule.Load).BusyCycles);
    }

    [TestMethod]
    public void AStoreDoesNotWaitForALoadOnTheSharedPort()
    {
        // AXI's read and write channels are separate: a store row writes while a load row reads.
        static RunResult Run(bool shared)
        {
            var h = new Harness(WithTiming(t => t with { SharedPort = shared }));
            var weights = h.Zeros(4 * 256, "w");
            var output = h.Zeros(64 * 16, "out");
            h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(weights, MemoryType.Wgt), 1, 4, 4));
            h.Program.Add(MemoryInstruction.Store(0, h.At(output, MemoryType.Out), 1, 64, 64));
            h.Synchronize();
            return h.RunFinished();
        }

        Assert.AreEqual(Run(shared: false).Module(VtaModule.Store).BusyCycles, Run(shared: true).Module(VtaModule.Store).BusyCycles);
    }

    [TestMethod]
    public void EachOpcodePaysItsOwnFixedCost()
    {
        // vta_cost.py's orders of magnitude: compute decodes the LOAD UOP in 150 cycles, moves it in 24 + 1, the GEMM in
        // 80 then 1 + 5, the ALU in 46 then 2 + 5; FINISH keeps the 4-cycle instruction overhead.
        var board = WithTiming(t => t with { LoadOverheadCycles = 150, StoreOverheadCycles = 150, GemmOverheadCycles = 80, AluOverheadCycles = 46 });
        var h = new Harness(board);
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0)), 1);
        h.Program.Add(new GemmInstruction(DependencyFlags.None, new MicroOpLoop(true, 0, 1, 1, 1, 0, 0), 0, 0, 0, 0));
        h.Program.Add(new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 1, 1, 0, 0), 0, 0, AluOpcode.Add, true, 1));
        h.Program.Add(new FinishInstruction());
        var result = h.RunFinished();
        Assert.AreEqual(150 + 25 + 80 + 6 + 46 + 7 + 4, result.Module(VtaModule.Compute).BusyCycles);
        Assert.AreEqual(24 + 150 + 25 + 80 + 6 + 46 + 7 + 4, result.Cycles);
    }

    [TestMethod]
    public void ANopPaysTheInstructionOverheadAndAStoreItsOwn()
    {
        // A store of one element: 150 + 24 + 2; the closing no-op on store and load: 4 each.
        var h = new Harness(WithTiming(t => t with { LoadOverheadCycles = 150, StoreOverheadCycles = 150 }));
        var output = h.Zeros(64, "out");
        h.Program.Add(MemoryInstruction.Store(0, h.At(output, MemoryType.Out), 1, 1, 1));
        h.Synchronize();
        var result = h.RunFinished();
        Assert.AreEqual(150 + 24 + 2 + 4, result.Module(VtaModule.Store).BusyCycles);
        Assert.AreEqual(4, result.Module(VtaModule.Load).BusyCycles);
    }

    [TestMethod]
    public void ABoardFileWithoutPerOpcodeCostsChargesTheInstructionOverheadForEveryOpcode()
    {
        var board = TestBoards.With(j => j["timing"]!["instruction_overhead_cycles"] = 9);
        var timing = new TimingModel(board);
        Assert.AreEqual((9L, 9L, 9L, 9L, 9L), (timing.LoadOverhead, timing.StoreOverhead, timing.GemmOverhead, timing.AluOverhead, timing.InstructionOverhead));
        Assert.IsTrue(timing.UniformOverhead);

        var own = new TimingModel(TestBoards.With(j =>
        {
            j["timing"]!["load_overhead_cycles"] = 150;
            j["timing"]!["alu_overhead_cycles"] = 46;
        }));
        Assert.AreEqual((150L, 4L, 4L, 46L), (own.LoadOverhead, own.StoreOverhead, own.GemmOverhead, own.AluOverhead));
        Assert.AreEqual(4, own.Overhead(Opcode.Load, nop: true), "a no-op is not a transfer");
    }

    [TestMethod]
    public void TheBoardFileReadsEveryEffectsParameter()
    {
        var board = TestBoards.With(j =>
        {
            var t = j["timing"]!;
            t["max_burst_beats"] = 8;
            t["burst_latency_cycles"] = 40;
            t["max_outstanding_bursts"] = 7;
            t["shared_port"] = true;
            t["store_overhead_cycles"] = 150;
            t["gemm_overhead_cycles"] = 80;
            t["host_copy_ns_per_byte"] = 1.5;
            t["host_per_instruction_ns"] = 250;
        });
        var t = board.Timing;
        Assert.AreEqual((8, 40, 7, true, 150, 80), (t.MaxBurstBeats, t.BurstLatencyCycles, t.MaxOutstandingBursts, t.SharedPort, t.StoreOverheadCycles, t.GemmOverheadCycles));
        Assert.AreEqual((1.5, 250.0), (t.HostCopyNanosecondsPerByte, t.HostPerInstructionNanoseconds));
    }

    [TestMethod]
    [DataRow("max_burst_beats", 0, "must be at least 1")]
    [DataRow("max_burst_beats", 257, "must be between 1 and 256")]
    [DataRow("max_outstanding_bursts", 0, "must be at least 1")]
    [DataRow("burst_latency_cycles", -1, "must not be negative")]
    [DataRow("alu_overhead_cycles", -5, "must not be negative")]
    [DataRow("host_copy_ns_per_byte", -1, "host_copy_ns_per_byte")]
    public void ABadEffectsParameterIsOneClearError(string key, int value, string problem)
    {
        var e = Assert.ThrowsExactly<BoardFileException>(() => TestBoards.With(j => j["timing"]![key] = value));
        StringAssert.Contains(e.Message, key);
        StringAssert.Contains(e.Message, problem);
    }

    [TestMethod]
    public void TheHostSideOfACallIsItsLaunchItsInstructionsAndTheBytesItCopies()
    {
        // 3 instructions (48 bytes) and one 4-byte micro-op copied at 2 ns a byte, 100 ns to build each instruction,
        // 20 µs of launch and polling, and the accelerator's 67 cycles at 100 MHz.
        var board = WithTiming(t => t with { HostCopyNanosecondsPerByte = 2, HostPerInstructionNanoseconds = 100 });
        var h = new Harness(board);
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0)), 1);
        h.Program.Add(new GemmInstruction(DependencyFlags.None, new MicroOpLoop(true, 0, 1, 1, 1, 0, 0), 0, 0, 0, 0));
        h.Program.Add(new FinishInstruction());
        var result = h.RunFinished(new RunOptions { HostMicroOpBytes = 4 });
        var expected = (67 * 10e-9) + 20e-6 + (((3 * 16) + 4) * 2e-9) + (3 * 100e-9);
        Assert.AreEqual(expected, result.BoardSeconds, 1e-15);
        Assert.AreEqual(expected, board.SecondsOf(67, 3, 4), 1e-15);
        Assert.AreEqual((67 * 10e-9) + 20e-6, TestBoards.Uncalibrated.SecondsOf(67, 3, 4), 1e-15, "by default the host costs its launch only");
    }
}
