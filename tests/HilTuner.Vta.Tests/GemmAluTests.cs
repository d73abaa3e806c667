using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Programs;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class GemmAluTests
{
    public static IEnumerable<object[]> Boards =>
    [
        ["PYNQ 1x16", TestBoards.Uncalibrated],
        ["BLOCK 8", TestBoards.WithVta(logBlock: 3, logInp: 14, logWgt: 16, logAcc: 16)],
        ["BLOCK 32, BATCH 2", TestBoards.WithVta(logBlock: 5, logBatch: 1)],
    ];

    /// <summary>
    /// C[m][n] = bias[m][n] + Σ_k A[m][k] · W[n][k]ᵀ over K blocks, with the reduction in the GEMM's outer loop
    /// and one micro-op per output element, checked against a plain triple loop.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Boards))]
    public void GemmAccumulatesInt8ProductsIntoInt32LikeAReferenceMatrixProduct(string name, Board board)
    {
        var h = new Harness(board);
        var c = h.Config;
        const int M = 4, N = 3, K = 2;
        var random = new Random(name.Length);
        var a = Harness.RandomInt8(random, M * K * c.InpElemLanes);
        var w = Harness.RandomInt8(random, N * K * c.WgtElemLanes);
        var bias = Enumerable.Range(0, M * N * c.AccElemLanes).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray();
        bias[0] = int.MaxValue;
        var (aDram, wDram, biasDram) = (h.Int8(a, "A"), h.Int8(w, "W"), h.Int32(bias, "bias"));
        var outDram = h.Zeros(M * N * c.OutElemBytes, "C");

        var uops = new List<MicroOp>();
        for (var m = 0; m < M; m++)
        {
            for (var n = 0; n < N; n++)
            {
                uops.Add(new MicroOp((uint)((m * N) + n), (uint)(m * K), (uint)(n * K)));
            }
        }

        h.LoadUops(h.Uops([.. uops]), (uint)uops.Count);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(aDram, MemoryType.Inp), 1, M * K, M * K));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(wDram, MemoryType.Wgt), 1, N * K, N * K, DependencyFlags.PushNext));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 0, h.At(biasDram, MemoryType.Acc), 1, M * N, M * N, DependencyFlags.PopPrev));
        h.Program.Add(new GemmInstruction(DependencyFlags.PushNext, new MicroOpLoop(false, 0, (uint)uops.Count, K, 1, 0, 0), 1, 0, 1, 0));
        h.Program.Add(MemoryInstruction.Store(0, h.At(outDram, MemoryType.Out), 1, M * N, M * N, DependencyFlags.PopPrev));
        h.Synchronize();
        var result = h.RunFinished();

        var (batch, block) = (c.Batch, c.BlockIn);
        for (var m = 0; m < M; m++)
        {
            for (var n = 0; n < N; n++)
            {
                var element = (m * N) + n;
                var expected = new int[c.AccElemLanes];
                for (var b = 0; b < batch; b++)
                {
                    for (var o = 0; o < block; o++)
                    {
                        var sum = bias[(element * c.AccElemLanes) + (b * block) + o];
                        for (var k = 0; k < K; k++)
                        {
                            for (var i = 0; i < block; i++)
                            {
                                sum = unchecked(sum + (a[(((m * K) + k) * c.InpElemLanes) + (b * block) + i] * w[(((n * K) + k) * c.WgtElemLanes) + (o * block) + i]));
                            }
                        }

                        expected[(b * block) + o] = sum;
                    }
                }

                CollectionAssert.AreEqual(expected, h.AccElement(element), $"{name}: C[{m}][{n}]");
                CollectionAssert.AreEqual(expected.Select(v => unchecked((sbyte)v)).ToArray(),
                    outDram.Data.Skip(element * c.OutElemBytes).Take(c.OutElemBytes).Select(v => (sbyte)v).ToArray(), $"{name}: stored C[{m}][{n}]");
            }
        }

        Assert.AreEqual((long)M * N * K, result.Counters.GemmCounter);
    }

    [TestMethod]
    public void AResetGemmZeroesTheAccumulatorButWritesTheSumToTheOutputBuffer()
    {
        var h = new Harness();
        var lanes = h.Config.AccElemLanes;
        var inp = Harness.RandomInt8(new Random(3), h.Config.InpElemLanes);
        var wgt = Harness.RandomInt8(new Random(4), h.Config.WgtElemLanes);
        var bias = Enumerable.Range(0, lanes).Select(i => (i * 1000) - 7000).ToArray();
        var (inpDram, wgtDram, biasDram) = (h.Int8(inp, "inp"), h.Int8(wgt, "wgt"), h.Int32(bias, "bias"));
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0)), 1);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(inpDram, MemoryType.Inp), 1, 1, 1));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(wgtDram, MemoryType.Wgt), 1, 1, 1, DependencyFlags.PushNext));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 0, h.At(biasDram, MemoryType.Acc), 1, 1, 1, DependencyFlags.PopPrev));
        h.Program.Add(new GemmInstruction(DependencyFlags.None, new MicroOpLoop(true, 0, 1, 1, 1, 0, 0), 0, 0, 0, 0));
        h.Synchronize();
        var result = h.RunFinished();

        CollectionAssert.AreEqual(new int[lanes], h.AccElement(0));
        var sums = Enumerable.Range(0, lanes).Select(o => bias[o] + Enumerable.Range(0, 16).Sum(k => inp[k] * wgt[(o * 16) + k])).ToArray();
        CollectionAssert.AreEqual(sums.Select(s => unchecked((sbyte)s)).ToArray(), h.OutElement(0));
        Assert.AreEqual(0, result.Counters.GemmCounter, "fsim does not count reset GEMMs");
    }

    public static IEnumerable<object[]> Kernels =>
        from b in Boards
        from k in Enum.GetValues<GemmCore.Kernel>()
        where k != GemmCore.Kernel.Scalar && (k != GemmCore.Kernel.Avx2 || System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        select new object[] { b[0], b[1], k.ToString() };

    /// <summary>
    /// Every vector kernel against the scalar datapath on every configuration the tests use: random operands, operands
    /// all −128 (the largest products, whose pair sums reach 32768), all 127, −128 against 127, and accumulators near
    /// the 32-bit limits so that the sums wrap; with and without reset, accumulator read and written in place or apart.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Kernels))]
    public unsafe void EveryVectorKernelMatchesTheScalarDatapathBitForBit(string name, Board board, string kernelName)
    {
        var kernel = Enum.Parse<GemmCore.Kernel>(kernelName);
        var c = board.Vta;
        var (batch, block) = (c.Batch, c.BlockIn);
        var random = new Random(name.Length + (int)kernel);
        sbyte[] Fill(int n, int trial) => (trial % 4) switch
        {
            1 => Enumerable.Repeat(sbyte.MinValue, n).ToArray(),
            2 => Enumerable.Repeat(sbyte.MaxValue, n).ToArray(),
            3 => Enumerable.Range(0, n).Select(i => i % 3 == 0 ? sbyte.MinValue : sbyte.MaxValue).ToArray(),
            _ => Harness.RandomInt8(random, n),
        };

        for (var trial = 0; trial < 200; trial++)
        {
            var inp = Fill(c.InpElemLanes, trial);
            var wgt = trial % 8 == 3 ? Fill(c.WgtElemLanes, 1) : Fill(c.WgtElemLanes, trial / 4);
            var acc = Enumerable.Range(0, c.AccElemLanes).Select(_ => trial % 5 == 0 ? int.MaxValue - random.Next(70000) : random.Next(int.MinValue, int.MaxValue)).ToArray();
            var pairs = new short[c.WgtElemLanes];
            var (acc1, acc2, accOut1, accOut2) = (acc.ToArray(), acc.ToArray(), new int[acc.Length], new int[acc.Length]);
            var (out1, out2) = (new sbyte[c.AccElemLanes], new sbyte[c.AccElemLanes]);
            var reset = trial % 7 == 0;
            var apart = trial % 3 == 0;
            fixed (sbyte* i = inp, w = wgt, o1 = out1, o2 = out2)
            fixed (short* pw = pairs)
            fixed (int* a1 = acc1, a2 = acc2, d1 = accOut1, d2 = accOut2)
            {
                GemmCore.Pair(w, pw, block);
                GemmCore.Run(kernel, i, w, pw, a1, apart ? d1 : a1, o1, batch, block, reset);
                GemmCore.Scalar(i, w, a2, apart ? d2 : a2, o2, batch, block, reset);
            }

            CollectionAssert.AreEqual(acc2, acc1, $"{name}, {kernel}, trial {trial}: accumulator read");
            CollectionAssert.AreEqual(accOut2, accOut1, $"{name}, {kernel}, trial {trial}: accumulator written apart");
            CollectionAssert.AreEqual(out2, out1, $"{name}, {kernel}, trial {trial}: output buffer");
        }
    }

    /// <summary>The kernel the simulator runs for VTA's default 16×16 block (unrolled AVX2 where the machine has it) against the scalar datapath.</summary>
    [TestMethod]
    public unsafe void TheSimulatorsKernelForTheDefaultBlockMatchesTheScalarDatapath()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 500; trial++)
        {
            var inp = trial % 10 == 1 ? Enumerable.Repeat(sbyte.MinValue, 16).ToArray() : Harness.RandomInt8(random, 16);
            var wgt = trial % 10 == 1 ? Enumerable.Repeat(sbyte.MinValue, 256).ToArray() : Harness.RandomInt8(random, 256);
            var acc = Enumerable.Range(0, 16).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray();
            var (acc1, acc2) = (acc.ToArray(), acc.ToArray());
            var (out1, out2) = (new sbyte[16], new sbyte[16]);
            var pairs = new short[256];
            var reset = trial % 7 == 0;
            fixed (sbyte* i = inp, w = wgt, o1 = out1, o2 = out2)
            fixed (short* pw = pairs)
            fixed (int* a1 = acc1, a2 = acc2)
            {
                GemmCore.Pair(w, pw, 16);
                GemmCore.Uop(i, w, pw, a1, a1, o1, 1, 16, reset);
                GemmCore.Scalar(i, w, a2, a2, o2, 1, 16, reset);
            }

            CollectionAssert.AreEqual(acc2, acc1, $"trial {trial}");
            CollectionAssert.AreEqual(out2, out1, $"trial {trial}");
        }
    }

    /// <summary>
    /// The micro-op loops without hazard tracking (taken when no hazard is possible and no race detector listens) give
    /// the output and the cycles of the tracked loops (taken with <c>--check-races</c>), on a tiled matrix product with
    /// GEMM and ALU epilogues.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Boards))]
    public void TheUntrackedMicroOpLoopsGiveTheTrackedLoopsOutputAndCycles(string name, Board board)
    {
        var full = MatrixProductShape.BenchmarkFor(board);
        var product = TiledMatrixProduct.Create(board, full with { Rows = full.TileRows * 2, OutBlocks = full.TileOutBlocks * 2 }, seed: 3);
        var (fast, fastOutput) = product.Run(new VtaSimulator(board));
        var (tracked, trackedOutput) = product.Run(new VtaSimulator(board), new RunOptions { CheckRaces = true });
        Assert.AreEqual(RunStatus.Finished, fast.Status, name);
        Assert.AreEqual(tracked.Cycles, fast.Cycles, name);
        CollectionAssert.AreEqual(trackedOutput, fastOutput, name);
        CollectionAssert.AreEqual(product.Reference(), fastOutput, name);
    }

    /// <summary>
    /// The vector kernels read a paired copy of each weight element: a weight element overwritten by a later LOAD (or
    /// written through <see cref="OnChipMemory.Wgt"/> between runs) must be read as it is now, not as it was paired.
    /// </summary>
    [TestMethod]
    public void AWeightElementReloadedOrRewrittenBetweenRunsIsReadAsItIsNow()
    {
        var h = new Harness();
        var c = h.Config;
        var random = new Random(11);
        var inp = Harness.RandomInt8(random, c.InpElemLanes);
        var (w1, w2) = (Harness.RandomInt8(random, c.WgtElemLanes), Harness.RandomInt8(random, c.WgtElemLanes));
        var (inpDram, w1Dram, w2Dram) = (h.Int8(inp, "inp"), h.Int8(w1, "w1"), h.Int8(w2, "w2"));
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0)), 1);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(inpDram, MemoryType.Inp), 1, 1, 1));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(w1Dram, MemoryType.Wgt), 1, 1, 1, DependencyFlags.PushNext));
        h.Program.Add(new GemmInstruction(DependencyFlags.PopPrev | DependencyFlags.PushPrev, new MicroOpLoop(true, 0, 1, 1, 1, 0, 0), 0, 0, 0, 0));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(w2Dram, MemoryType.Wgt), 1, 1, 1, DependencyFlags.PopNext | DependencyFlags.PushNext));
        h.Program.Add(new GemmInstruction(DependencyFlags.PopPrev, new MicroOpLoop(false, 0, 1, 1, 1, 0, 0), 0, 0, 0, 0));
        h.Synchronize();
        h.RunFinished();
        int[] Product(sbyte[] w) => [.. Enumerable.Range(0, 16).Select(o => Enumerable.Range(0, 16).Sum(k => inp[k] * w[(o * 16) + k]))];
        CollectionAssert.AreEqual(Product(w2), h.AccElement(0), "the GEMM after the second LOAD WGT reads the second weights");

        // A second program with no LOAD WGT, after weight element 0 was written directly: its GEMM reads the new weights.
        Array.Copy(w1, h.Sim.Sram.Wgt, w1.Length);
        var again = new InstructionStream(h.Board.Isa);
        again.Add(new GemmInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 1, 1, 0, 0), 0, 0, 0, 0));
        again.Add(MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PushPrev));
        again.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PushNext));
        again.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopPrev | DependencyFlags.PopNext));
        again.Add(new FinishInstruction());
        var result = h.Sim.Run(h.Sim.Dram.Allocate(again.InstructionBytes(), "again").PhysicalAddress, again.Count);
        Assert.AreEqual(RunStatus.Finished, result.Status, result.Diagnostic);
        CollectionAssert.AreEqual(Product(w2).Zip(Product(w1), (a, b) => a + b).ToArray(), h.AccElement(0));
    }

    private static readonly int[] s_a = [100, -100, 7, -7, 1000, -1000, int.MaxValue, int.MinValue, 0, 1, -1, 255, 256, -129, 123456, -654321];
    private static readonly int[] s_b = [3, -3, 0, 31, 15, 16, -16, 17, 1, -1, 8, 40, -40, 100000, 2, 5];

    /// <summary>The HLS ALU's shift: the low 5 bits of the operand as a two's-complement number, negative shifting left.</summary>
    private static int HlsShift(int a, int b)
    {
        var amount = b & 31;
        if (amount >= 16)
        {
            amount -= 32;
        }

        return amount >= 0 ? a >> amount : a << -amount;
    }

    [TestMethod]
    [DataRow(AluOpcode.Min, true, 5)]
    [DataRow(AluOpcode.Max, true, -3)]
    [DataRow(AluOpcode.Add, true, -20000)]
    [DataRow(AluOpcode.Add, true, 1)]
    [DataRow(AluOpcode.Shr, true, 3)]
    [DataRow(AluOpcode.Shr, true, 8)]
    [DataRow(AluOpcode.Shr, true, -2)]
    [DataRow(AluOpcode.Shr, true, 17)]
    [DataRow(AluOpcode.Shr, true, 16)]
    [DataRow(AluOpcode.Shr, true, -32768)]
    [DataRow(AluOpcode.Min, false, 0)]
    [DataRow(AluOpcode.Max, false, 0)]
    [DataRow(AluOpcode.Add, false, 0)]
    [DataRow(AluOpcode.Shr, false, 0)]
    public void EveryAluOperationComputesLaneByLaneAsTheHlsAlu(AluOpcode op, bool useImm, int imm)
    {
        var h = new Harness();
        var acc = h.Int32([.. s_a, .. s_b], "operands");
        h.LoadUops(h.Uops(new MicroOp(0, 1)), 1);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 0, h.At(acc, MemoryType.Acc), 1, 2, 2));
        h.Program.Add(new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 1, 1, 0, 0), 0, 0, op, useImm, (short)imm));
        h.Synchronize();
        var result = h.RunFinished();

        var expected = s_a.Select((a, lane) =>
        {
            var b = useImm ? imm : s_b[lane];
            return op switch
            {
                AluOpcode.Min => a < b ? a : b,
                AluOpcode.Max => a > b ? a : b,
                AluOpcode.Add => unchecked(a + b),
                _ => HlsShift(a, b),
            };
        }).ToArray();
        CollectionAssert.AreEqual(expected, h.AccElement(0), $"{op} {(useImm ? $"imm {imm}" : "register")}");
        CollectionAssert.AreEqual(expected.Select(v => unchecked((sbyte)v)).ToArray(), h.OutElement(0));
        Assert.AreEqual(1, result.Counters.AluCounter);
    }

    [TestMethod]
    public void ShiftRightByAnImmediateOfSeventeenShiftsLeftByFifteenOnTheHlsAlu()
    {
        Assert.AreEqual(1 << 15, AluCore.Apply(AluOpcode.Shr, 1, 17));
        Assert.AreEqual(-1, AluCore.Apply(AluOpcode.Shr, -7, 3));
        Assert.AreEqual(400, AluCore.Apply(AluOpcode.Shr, 100, -2));
    }

    [TestMethod]
    public void AluLoopsWalkTheirFactors()
    {
        // Clip a 2×3 block of accumulators to [0, 127] with MIN then MAX over a two-level loop and a single micro-op.
        var h = new Harness();
        var lanes = h.Config.AccElemLanes;
        var values = Enumerable.Range(0, 6 * lanes).Select(i => (i * 37) - 900).ToArray();
        var acc = h.Int32(values, "acc");
        h.LoadUops(h.Uops(new MicroOp(0, 0)), 1);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 0, h.At(acc, MemoryType.Acc), 1, 6, 6));
        h.Program.Add(new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 2, 3, 3, 1), 3, 1, AluOpcode.Min, true, 127));
        h.Program.Add(new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 2, 3, 3, 1), 3, 1, AluOpcode.Max, true, 0));
        h.Synchronize();
        var result = h.RunFinished();
        CollectionAssert.AreEqual(values.Select(v => Math.Clamp(v, 0, 127)).ToArray(), h.Sim.Sram.Acc.AsSpan(0, 6 * lanes).ToArray());
        Assert.AreEqual(12, result.Counters.AluCounter);
    }
}

[TestClass]
public sealed class AccumulatorHazardTests
{
    /// <summary>
    /// Four micro-ops of one kernel accumulating into the same accumulator back to back (one pass, no loop): each
    /// read misses the writes of the previous <c>window</c> micro-ops still in the pipeline (vta.cc pipelines the
    /// micro-op loop at II = 1 with no declared dependence on the accumulator), so only some partial sums survive;
    /// with no hazard the sum is complete.
    /// </summary>
    [TestMethod]
    [DataRow(2, new[] { 0, 3 })]
    [DataRow(1, new[] { 1, 3 })]
    [DataRow(0, new[] { 0, 1, 2, 3 })]
    public void BackToBackAccumulationIntoOneIndexLosesTheWritesStillInThePipeline(int window, int[] survivors)
    {
        var h = new Harness(TestBoards.With(j => j["hardware"]!["acc_hazard_window"] = window));
        var (inpDram, wgtDram) = AccumulationOperands(h);
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0), new MicroOp(0, 1, 0), new MicroOp(0, 2, 0), new MicroOp(0, 3, 0)), 4);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(inpDram, MemoryType.Inp), 1, 4, 4));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(wgtDram, MemoryType.Wgt), 1, 1, 1, DependencyFlags.PushNext));
        h.Program.Add(new GemmInstruction(DependencyFlags.PopPrev, new MicroOpLoop(false, 0, 4, 1, 1, 0, 0), 0, 0, 0, 0));
        h.Synchronize();
        h.RunFinished();

        // Input element k holds k+1 in every lane and the weights are all ones: micro-op k adds 16·(k+1).
        // A read by micro-op k sees the writes of micro-ops ≤ k − window − 1 only.
        var committed = new int[4];
        for (var k = 0; k < 4; k++)
        {
            var seen = k - window - 1 >= 0 ? committed[k - window - 1] : 0;
            committed[k] = seen + (16 * (k + 1));
        }

        Assert.AreEqual(committed[3], h.AccElement(0)[0]);
        Assert.AreEqual(survivors.Sum(k => 16 * (k + 1)), h.AccElement(0)[0], "the partial sums that survive");
    }

    /// <summary>
    /// One micro-op accumulating into the same accumulator on every iteration of both loops: the pipeline drains at
    /// the end of each pass over the kernel (only vta.cc's innermost micro-op loop is pipelined, and the simulator
    /// charges the drain), so no write is in flight when the next pass reads and the sum is complete.
    /// </summary>
    [TestMethod]
    public void AccumulationAcrossLoopIterationsIsCompleteBecauseThePipelineDrainsBetweenPasses()
    {
        var h = new Harness(TestBoards.With(j => j["hardware"]!["acc_hazard_window"] = 2));
        var (inpDram, wgtDram) = AccumulationOperands(h);
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0)), 1);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(inpDram, MemoryType.Inp), 1, 4, 4));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(wgtDram, MemoryType.Wgt), 1, 1, 1, DependencyFlags.PushNext));
        h.Program.Add(new GemmInstruction(DependencyFlags.PopPrev, new MicroOpLoop(false, 0, 1, 2, 2, 0, 0), 2, 1, 0, 0));
        h.Synchronize();
        h.RunFinished();
        Assert.AreEqual(16 * (1 + 2 + 3 + 4), h.AccElement(0)[0]);
    }

    /// <summary>Four input elements, element k holding k+1 in every lane, and a weight block of ones.</summary>
    private static (DramBuffer Inp, DramBuffer Wgt) AccumulationOperands(Harness h) =>
        (h.Int8([.. Enumerable.Range(0, 4 * 16).Select(i => (sbyte)((i / 16) + 1))], "inp"), h.Int8([.. Enumerable.Repeat((sbyte)1, 256)], "wgt"));

    [TestMethod]
    public void MicroOpsThreeApartAreNotAffected()
    {
        var h = new Harness();
        var inp = Enumerable.Repeat((sbyte)1, 16).ToArray();
        var wgt = Enumerable.Repeat((sbyte)1, 256).ToArray();
        var (inpDram, wgtDram) = (h.Int8(inp, "inp"), h.Int8(wgt, "wgt"));
        h.LoadUops(h.Uops(new MicroOp(0, 0, 0), new MicroOp(1, 0, 0), new MicroOp(2, 0, 0)), 3);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(inpDram, MemoryType.Inp), 1, 1, 1));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(wgtDram, MemoryType.Wgt), 1, 1, 1, DependencyFlags.PushNext));
        h.Program.Add(new GemmInstruction(DependencyFlags.PopPrev, new MicroOpLoop(false, 0, 3, 5, 1, 0, 0), 0, 0, 0, 0));
        h.Synchronize();
        h.RunFinished();
        for (var e = 0; e < 3; e++)
        {
            Assert.AreEqual(5 * 16, h.AccElement(e)[0], $"accumulator {e} got all five iterations");
        }
    }
}
