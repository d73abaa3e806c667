using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Replay;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests;

[TestClass]
public sealed class TruthBoardTargetTests
{
    private static readonly Workload Dense = WorkloadRegistry.Resolve("dense.512");

    /// <summary>
    /// A truth board answers with its own simulator's seconds (not the nominal board's) times noise of mean 1 and the
    /// asked coefficient of variation (per timed run), the same draws again for the same seed, and reports the nominal board.
    /// </summary>
    [TestMethod]
    public void ATruthBoardAnswersItsOwnTimingWithReproducibleNoise()
    {
        var nominal = Board.Load(Repository.BoardFile("pynq-z1.json"));
        var truth = Board.Load(Repository.BoardFile("truth/pynq-slow-dram.json"));
        var table = GroundTruthTable.Measure(Dense, truth);
        var nominalTable = GroundTruthTable.Measure(Dense, nominal);
        var (index, seconds) = table.Best();
        Assert.AreNotEqual(nominalTable[index].Seconds, seconds, "the truth board's timing differs from the nominal board's");

        var program = VtaCompiler.Compile(Dense, Templates.For(Dense, nominal.Vta).Get(index), nominal).Program!;
        var tensors = OperatorTensors.Random(Dense, GroundTruthTable.InputSeed);
        // Each timed run of the program gets its own draw (a measurement's mean of its runs varies less).
        List<double> Draws(int seed, double cv)
        {
            var target = new TruthBoardTarget(nominal, truth, [table], cv, seed);
            Assert.AreSame(nominal, target.Board);
            return [.. Enumerable.Range(0, 4000).Select(_ => target.Measure(program, tensors, MeasureOptions.Default)).Select(m => m.Status == MeasureStatus.Ok ? m.Costs[0] : double.NaN)];
        }

        var draws = Draws(7, 0.02);
        CollectionAssert.AreEqual(draws, Draws(7, 0.02));
        CollectionAssert.AreNotEqual(draws, Draws(8, 0.02));
        var mean = draws.Average();
        var cv = Math.Sqrt(draws.Average(d => (d - mean) * (d - mean))) / mean;
        Assert.AreEqual(seconds, mean, 0.002 * seconds);
        Assert.AreEqual(0.02, cv, 0.002);
        Assert.IsTrue(Draws(7, 0).All(d => d == seconds));
    }
}
