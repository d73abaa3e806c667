using HilTuner.Tuning.Tuners;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Tests;

/// <summary>hiltuner on a board whose timing it does not know: it learns the board's deviation from the estimate from what it measures.</summary>
[TestClass]
public sealed class HilTunerAdaptationTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// ResNet-18 C5 measured on a board whose DMA latency is ten times the nominal board's (240 cycles, not 24), while the
    /// tuner compiles and estimates for the nominal board: ranking by the nominal estimate alone (the same tuner without
    /// the online deviation model) measures 63–67 configurations before the truth board's best; learning the deviation
    /// from the measurements finds it in well under two thirds of that, on every seed.
    /// </summary>
    [TestMethod]
    public void OnABoardWithSlowerDmaItFindsTheBestInFewerMeasurementsThanTheNominalEstimate()
    {
        var adaptive = MeasurementsToBestWithSlowerDma(DeviationModel.Ridge);
        var nominal = MeasurementsToBestWithSlowerDma(DeviationModel.None);
        TestContext.WriteLine($"measurements to the truth board's best — learning the deviation: {string.Join(", ", adaptive)}; nominal estimate: {string.Join(", ", nominal)}");
        Assert.IsTrue(adaptive.All(a => a > 0) && nominal.All(n => n > 0), "both find the best");
        Assert.IsLessThan(0.67 * nominal.Average(), adaptive.Average());
        Assert.IsTrue(adaptive.Zip(nominal).All(p => p.First < p.Second), "fewer measurements on every seed");
    }

    /// <summary>
    /// The same board with LANN beside the ridge regression (<c>hiltuner-lann</c>): without other layers' measurements
    /// LANN trains once the task has 24, and the ranker that predicted the task's measurements better ranks; it still
    /// finds the truth board's best in fewer measurements than the nominal estimate on every seed.
    /// </summary>
    [TestMethod]
    public void WithLannItFindsTheBestOnABoardWithSlowerDmaInFewerMeasurementsThanTheNominalEstimate()
    {
        var lann = MeasurementsToBestWithSlowerDma(DeviationModel.Lann);
        var nominal = MeasurementsToBestWithSlowerDma(DeviationModel.None);
        TestContext.WriteLine($"measurements to the truth board's best — LANN: {string.Join(", ", lann)}; nominal estimate: {string.Join(", ", nominal)}");
        Assert.IsTrue(lann.All(a => a > 0), "it finds the best");
        Assert.IsTrue(lann.Zip(nominal).All(p => p.First < p.Second), "fewer measurements on every seed");
    }

    /// <summary>On the board it was estimated for, learning the deviation costs nothing: C11's best in 4 measurements, as the estimate alone.</summary>
    [TestMethod]
    public void OnTheNominalBoardItIsAsGoodAsTheEstimate()
    {
        var truth = GroundTruth.Of("resnet18.C11");
        foreach (var seed in new[] { 1, 2 })
        {
            var curve = truth.Drive(new ValidityFirstTuner(truth.Context(seed)), 40);
            Assert.AreEqual(4, Array.FindIndex(curve, b => b >= truth.Best) + 1);
        }
    }

    /// <summary>
    /// A prior validity model learnt from a few records of other layers may predict that every configuration of this
    /// one fails. That is the model's error, not the space's: the tuner measures the configurations it finds least
    /// likely to fail, learns from them, and still finds C11's best (before, it proposed nothing and the run ended at
    /// trial 0).
    /// </summary>
    [TestMethod]
    public void APriorThatRulesOutEveryConfigurationDoesNotStopTheTuner()
    {
        var truth = GroundTruth.Of("resnet18.C11");
        var context = truth.Context(1) with { Priors = new TunerPriors { Validity = new EverythingFails() } };
        var tuner = new ValidityFirstTuner(context);
        Assert.IsTrue(tuner.HasNext, "the compiled configurations are still there to measure");
        var curve = truth.Drive(tuner, (int)truth.Space.Size);
        var compiled = truth.Statuses.Count(s => s is not (Compiler.Statuses.MeasureStatus.CompileError or Compiler.Statuses.MeasureStatus.RuntimeError));
        Assert.HasCount(compiled, curve, "every configuration that compiles and that the runtime launches gets measured in the end");
        var toBest = Array.FindIndex(curve, b => b >= truth.Best) + 1;
        TestContext.WriteLine($"{compiled} configurations compile; the best measured at {toBest}");
        Assert.IsTrue(toBest is > 0 and <= 40, $"the best is found within 40 measurements (at {toBest})");
    }

    /// <summary>
    /// VTA's host runtime refuses some compiled programs before they reach the accelerator (VerifyDep: C11 has 8 such
    /// configurations on the uncalibrated board); hiltuner asks the same checks on the host and never sends them.
    /// </summary>
    [TestMethod]
    public void ItNeverMeasuresAProgramTheRuntimeWouldRefuse()
    {
        var truth = GroundTruth.Of("resnet18.C11");
        var refused = Enumerable.Range(0, (int)truth.Space.Size).Count(i => truth.Statuses[i] == Compiler.Statuses.MeasureStatus.RuntimeError);
        Assert.IsGreaterThan(0, refused, "the layer has configurations the runtime refuses");
        truth.Drive(new ValidityFirstTuner(truth.Context(1)), (int)truth.Space.Size, out var order);
        var measured = order.Select(i => truth.Statuses[i]).ToList();
        Assert.DoesNotContain(Compiler.Statuses.MeasureStatus.RuntimeError, measured);
        Assert.Contains(Compiler.Statuses.MeasureStatus.Ok, measured);
    }

    /// <summary>Seeds 1–3: measurements until ResNet-18 C5's best on a board whose DMA latency is ten times the nominal board's (240 cycles, not 24).</summary>
    private static int[] MeasurementsToBestWithSlowerDma(DeviationModel model)
    {
        var nominalBoard = HilTuner.Tests.Shared.Repository.UncalibratedBoard;
        var truth = GroundTruth.On("resnet18.C5", "dma240", nominalBoard with { Timing = nominalBoard.Timing with { DmaLatencyCycles = 240 } });
        return [.. new[] { 1, 2, 3 }.Select(seed =>
        {
            var curve = truth.Drive(new ValidityFirstTuner(truth.Context(seed), model), (int)truth.Space.Size);
            return Array.FindIndex(curve, b => b >= truth.Best) + 1;
        })];
    }

    private sealed class EverythingFails : Measure.IValidityModel
    {
        public string Name => "everything fails";

        public double Threshold => 0.5;

        public double[] FailureProbabilities(ReadOnlySpan<float> rows, int count) => Enumerable.Repeat(0.99, count).ToArray();
    }
}
