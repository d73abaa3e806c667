using HilTuner.Tests.Shared;
using HilTuner.Tuning.Calibration;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class CalibrationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void CalibrationRecoversEachFreeParameterOfASyntheticBoardWithin2Percent()
    {
        var start = Repository.UncalibratedBoard;
        var truth = SyntheticBoardLog.TrueBoard(start);
        var log = Path.Combine(Path.GetTempPath(), $"calib-{Guid.NewGuid():N}.log");
        try
        {
            var good = SyntheticBoardLog.Write(log, truth);
            var input = CalibrationInput.Read([log], start);
            Assert.AreEqual(good, input.Records.Count);

            var free = SyntheticBoardLog.Truth.Keys.Select(n => TimingParameterTable.Find(n)!).ToList();
            var fit = new TimingFit(start, input.Records);
            var result = fit.Fit(free, start.Timing, [.. Enumerable.Range(0, input.Records.Count)]);
            TestContext.WriteLine($"{result.Iterations} iterations, {fit.Runs} simulator runs, {result.Exit}: {result.Timing}");
            foreach (var p in free)
            {
                var expected = SyntheticBoardLog.Truth[p.Name];
                Assert.AreNotEqual(expected, p.Get(start.Timing), $"{p.Name} must start away from the truth");
                Assert.AreEqual(expected, p.Get(result.Timing), 0.02 * expected, p.Name);
            }
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>When the truth is in the model's family, a fit on the other layers predicts each held-out layer.</summary>
    [TestMethod]
    public void LeavingOneLayerOutPredictsEachHeldOutLayerOfASyntheticBoard()
    {
        var start = Repository.UncalibratedBoard;
        var log = Path.Combine(Path.GetTempPath(), $"calib-{Guid.NewGuid():N}.log");
        try
        {
            SyntheticBoardLog.Write(log, SyntheticBoardLog.TrueBoard(start));
            var input = CalibrationInput.Read([log], start);
            var free = SyntheticBoardLog.Truth.Keys.Select(n => TimingParameterTable.Find(n)!).ToList();
            var held = new TimingFit(start, input.Records).LeaveOneLayerOut(free, start.Timing);
            Assert.HasCount(input.Records.Count, held);
            Assert.AreEqual(4, held.Select(h => h.Record.Workload.Name).Distinct().Count());
            foreach (var h in held)
            {
                Assert.AreEqual(1, h.Ratio, 0.02, $"{h.Record.Label}: {h.Timing}");
            }

            var errors = RatioErrors.Of([.. held.Select(h => h.PredictedSeconds)], [.. held.Select(h => h.Record.MeasuredSeconds)]);
            Assert.IsGreaterThan(0.99, errors.Spearman);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [TestMethod]
    public void RatioErrorsAreFactorsEitherWayAndSpearmanRanks()
    {
        var e = RatioErrors.Of([2.0, 1.0, 4.0], [1.0, 2.0, 4.0]);
        Assert.AreEqual(2.0, e.Worst, 1e-12);
        Assert.AreEqual(Math.Pow(4, 1.0 / 3), e.GeometricMean, 1e-12);
        Assert.AreEqual(0.5, e.Spearman, 1e-12);
    }

    [TestMethod]
    public void RecordsOfAnotherConfigurationFailedOfAnUnknownTaskOrFromTheSimulatorAreReportedAndSkipped()
    {
        var board = Repository.UncalibratedBoard;
        var log = Path.Combine(Path.GetTempPath(), $"calib-{Guid.NewGuid():N}.log");
        try
        {
            var good = SyntheticBoardLog.Write(log, board);
            var input = CalibrationInput.Read([log], board);
            Assert.AreEqual(good, input.Records.Count);
            Assert.HasCount(4, input.Skipped);
            StringAssert.Contains(input.Skipped[0], $"record {good + 1}: skipped: another VTA configuration (pynq_1x32_i8w8a32_15_15_18_17; the board is {board.Vta.TargetModel})");
            StringAssert.Contains(input.Skipped[1], $"record {good + 2}: skipped: failed (error_no 4)");
            StringAssert.Contains(input.Skipped[2], $"record {good + 3}: skipped: unknown task pool2d_packed.vta");
            StringAssert.Contains(input.Skipped[3], $"record {good + 4}: skipped: measured on HilTuner's sim target, not on a board");
            Assert.IsTrue(input.Records.Any(r => r.Source.EndsWith("record 2", StringComparison.Ordinal)), "a record with HilTuner's board facts is used");
        }
        finally
        {
            File.Delete(log);
        }
    }

    [TestMethod]
    public void TopHubsResNet18RecordsAreAllUsableOnThePynqBoard()
    {
        // TopHub's ResNet-18 records for the PYNQ (tlc-pack/tophub, Apache-2.0), kept in the repository so that every
        // checkout runs this test: the same file as ../shared/data/tophub-pynq-resnet18.log, which calibration reads.
        var tophub = Path.Combine(Repository.Root, "tests", "Shared", "data", "tophub-pynq-resnet18.log");
        var input = CalibrationInput.Read([tophub], Board.Load(Repository.BoardFile("pynq-z1.json")));
        Assert.HasCount(0, input.Skipped, string.Join("\n", input.Skipped));
        Assert.AreEqual(10, input.Records.Select(r => r.Workload.Name).Distinct().Count());
    }
}
