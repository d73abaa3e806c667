using HilTuner.Vta.Isa;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class RaceTests
{
    /// <summary>
    /// Load fills 64 input elements row by row; a GEMM reads the last of them. With the l2g token the GEMM
    /// waits for the data; without it the GEMM runs while the DMA is still under way and reads what the
    /// buffer held before.
    /// </summary>
    private static (RunResult Run, int[] Acc) LoadThenGemm(bool ordered, bool checkRaces)
    {
        var h = new Harness();
        var inp = Enumerable.Range(0, 64 * 16).Select(i => (sbyte)((i % 7) + 1)).ToArray();
        var wgt = Enumerable.Repeat((sbyte)1, 256).ToArray();
        var (inpDram, wgtDram) = (h.Int8(inp, "inp"), h.Int8(wgt, "wgt"));
        h.LoadUops(h.Uops(new MicroOp(0, 63, 0), new MicroOp(1, 0, 0)), 2);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 0, h.At(wgtDram, MemoryType.Wgt), 1, 1, 1));
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 0, h.At(inpDram, MemoryType.Inp), 64, 1, 1, ordered ? DependencyFlags.PushNext : DependencyFlags.None));
        h.Program.Add(new GemmInstruction(ordered ? DependencyFlags.PopPrev : DependencyFlags.None, new MicroOpLoop(false, 0, 2, 1, 1, 0, 0), 0, 0, 0, 0));
        h.Synchronize();
        var result = h.RunFinished(new RunOptions { CheckRaces = checkRaces });
        return (result, h.AccElement(0));
    }

    [TestMethod]
    public void OrderedByATokenTheGemmSeesTheLoadedDataAndNoRaceIsReported()
    {
        var (run, acc) = LoadThenGemm(ordered: true, checkRaces: true);
        var expected = Enumerable.Range(63 * 16, 16).Sum(i => (i % 7) + 1);
        CollectionAssert.AreEqual(Enumerable.Repeat(expected, 16).ToArray(), acc);
        Assert.AreEqual(0, run.Races.Count, string.Join("\n", run.Races));
    }

    [TestMethod]
    public void UnorderedTheGemmReadsStaleDataAndTheRaceCheckerNamesBothInstructions()
    {
        var (quiet, staleAcc) = LoadThenGemm(ordered: false, checkRaces: false);
        CollectionAssert.AreEqual(new int[16], staleAcc, "the GEMM ran before the DMA wrote element 63, as the board's timing has it");
        Assert.AreEqual(0, quiet.Races.Count, "races are only looked for when asked");

        var (checkedRun, sameAcc) = LoadThenGemm(ordered: false, checkRaces: true);
        CollectionAssert.AreEqual(staleAcc, sameAcc, "checking changes nothing about the run");
        Assert.AreEqual(quiet.Cycles, checkedRun.Cycles);
        var inputRaces = checkedRun.Races.Where(r => r.Buffer == SharedBuffer.Inp).ToList();
        var race = inputRaces.Single();
        Assert.AreEqual((RaceKind.WriteAfterRead, VtaModule.Compute, 3, VtaModule.Load, 2), (race.Kind, race.FirstModule, race.First, race.SecondModule, race.Second));
        Assert.AreEqual((0, 2L), (race.FirstElement, race.Elements), "both micro-ops read before their element landed");
        StringAssert.Contains(race.ToString(), "INP[0]: WriteAfterRead between instruction 3 (compute) and instruction 2 (load)");
        Assert.IsTrue(checkedRun.Races.Any(r => r.Buffer == SharedBuffer.Wgt), "the weight load is unordered too");
    }

    [TestMethod]
    public void AStoreUnorderedWithTheAluThatFeedsItIsReported()
    {
        var h = new Harness();
        var acc = h.Int32(Enumerable.Range(0, 16).ToArray(), "acc");
        var output = h.Zeros(16, "out");
        h.LoadUops(h.Uops(new MicroOp(0, 0)), 1);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 0, h.At(acc, MemoryType.Acc), 1, 1, 1));
        h.Program.Add(new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, 0, 1, 1, 1, 0, 0), 0, 0, AluOpcode.Add, true, 1));
        h.Program.Add(MemoryInstruction.Store(0, h.At(output, MemoryType.Out), 1, 1, 1));
        h.Synchronize();
        var run = h.RunFinished(new RunOptions { CheckRaces = true });
        var race = run.Races.Single();
        Assert.AreEqual((SharedBuffer.Out, RaceKind.WriteAfterRead, 3, 2), (race.Buffer, race.Kind, race.First, race.Second), "the store (3) read before the ALU (2) wrote");
        Assert.IsTrue(output.Data.All(b => b == 0), "the store copied the output buffer before the ALU wrote it");
    }
}
