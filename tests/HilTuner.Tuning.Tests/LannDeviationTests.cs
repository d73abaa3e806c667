using HilTuner.Compiler;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Tests.Shared;
using HilTuner.Tuning.Models;
using HilTuner.Tuning.Session;
using HilTuner.Tuning.Tuners;
using HilTuner.Tuning.ValidityTraining;
using MathNet.Numerics.Statistics;

namespace HilTuner.Tuning.Tests;

/// <summary>LANN as hiltuner's model of the board's deviation from the timing estimate (<see cref="LannDeviation"/>).</summary>
[TestClass]
public sealed class LannDeviationTests
{
    private static readonly int Instructions = ProgramFeatures.Names.ToList().IndexOf("compile.dma_rows_compute");
    // The compute module's DMA rows (micro-op and accumulator loads): one of LANN's inputs, not among the ridge's.
    private static readonly int ComputeRows = ProgramFeatures.Names.ToList().IndexOf("compile.dma_rows_compute");

    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// A synthetic board whose time is the nominal estimate × a factor that falls with the rows the compute module loads
    /// (as a board whose micro-op and accumulator loads cost less than the timing model says) and differs per layer: the estimate alone
    /// ranks C7's programs by their work and misses it; LANN trained on C9's programs of that board (the earlier layer
    /// of the run) and 24 measurements of C7 ranks C7's programs by their time on that board much better.
    /// </summary>
    [TestMethod]
    public void AfterAFewMeasurementsItRanksBetterThanTheEstimate()
    {
        var earlier = Rows("resnet18.C9");
        var rows = Rows("resnet18.C7");
        var model = new LannDeviation(earlier.Select(r => new MeasuredProgram(r, MeasureStatus.Ok, Math.Exp(PerformanceModel.LogEstimate(r) + Deviation(r, 1.3)))), seed: 1);
        var measured = Enumerable.Range(0, 24).Select(k => rows[k * rows.Count / 24]).Select(r => (r, Deviation(r, 0.7))).ToList();
        Assert.IsTrue(model.Fit(measured), "24 measurements and the earlier layer's programs are enough to train on");

        var truth = rows.Select(r => PerformanceModel.LogEstimate(r) + Deviation(r, 0.7)).ToList();
        var estimate = Correlation.Spearman(rows.Select(r => PerformanceModel.LogEstimate(r)), truth);
        var learnt = Correlation.Spearman(rows.Select(r => PerformanceModel.LogEstimate(r) + model.Predict(r)!.Value), truth);
        TestContext.WriteLine($"Spearman correlation with the synthetic board's time over C7's {rows.Count} programs: estimate {estimate:F3}, estimate + LANN {learnt:F3}");
        Assert.IsLessThan(0.9, estimate, "the deviation changes the ranking (the test could fail)");
        Assert.IsGreaterThan(estimate + 0.05, learnt);
        Assert.IsGreaterThan(0.95, learnt);
    }

    /// <summary>Before the rows reach its minimum it is not trained and predicts nothing; then it refits as the task's measurements grow by half.</summary>
    [TestMethod]
    public void ItTrainsOnceEnoughRowsAreThereAndRefitsAtItsCadence()
    {
        var rows = Rows("resnet18.C7");
        Assert.IsGreaterThan(200, rows.Count);
        var model = new LannDeviation([], seed: 1);
        var fitsAt = new List<int>();
        for (var n = 0; n <= 200; n += 8)
        {
            if (model.Fit([.. rows.Take(n).Select(r => (r, 0.1 * Math.Log(1 + r[Instructions])))]))
            {
                fitsAt.Add(n);
            }

            Assert.AreEqual(fitsAt.Count == 0, model.Predict(rows[0]) is null, $"after {n} measurements");
        }

        CollectionAssert.AreEqual(new[] { 24, 40, 64, 96, 144 }, fitsAt);
    }

    /// <summary>
    /// The same synthetic board through the tuner, on C7 as the first layer of a run (no earlier layer, no transfer
    /// trees). hiltuner-lann's LANN trains at the layer's 24th measurement, and ranks only once it has predicted the
    /// layer's measurements better than the ridge: on every seed it reaches the board's best, in no more measurements
    /// than hiltuner. (With LANN's first inputs, which held the micro-op words, it took fewer over the three seeds: 30,
    /// 33, 34 against 30, 41, 35. With today's inputs — the critical path and the DMA rows — hiltuner's ridge already
    /// follows this board and both take 25, 22, 25: LANN adds nothing here, as the README's A/B says of the truth boards.)
    /// </summary>
    [TestMethod]
    public void OnTheFirstLayerTheTunerWithLannReachesTheSyntheticBoardsBestInNoMoreMeasurements()
    {
        var board = Repository.UncalibratedBoard;
        var workload = WorkloadRegistry.Resolve("resnet18.C7");
        var task = new TuningTask(workload, board, seed: 1);
        var gflops = new double[task.Space.Size];
        for (var i = 0L; i < task.Space.Size; i++)
        {
            if (GroundTruth.Builder.Build(workload, task.Space.Get(i), board).Program is { } program && Vta.Runtime.RuntimeChecks.FirstFailure(program.Image, board.Hardware.MaxTransferBytes) is null)
            {
                var row = ProgramFeatures.Of(program, board);
                gflops[i] = workload.Operations / Math.Exp(PerformanceModel.LogEstimate(row) + Deviation(row, 0.7)) / 1e9;
            }
        }

        var best = gflops.Max();
        int ToBest(string tuner, int seed)
        {
            var t = TunerFactory.Create(tuner, new TunerContext(task, seed, GroundTruth.Builder));
            for (var measured = 0; t.HasNext;)
            {
                var batch = t.NextBatch(8);
                foreach (var c in batch)
                {
                    measured++;
                    if (gflops[c.Index] >= best)
                    {
                        return measured;
                    }
                }

                t.Update([.. batch.Select(c => new TrialOutcome(c, gflops[c.Index] > 0 ? MeasureStatus.Ok : MeasureStatus.CompileError, gflops[c.Index]))]);
            }

            return int.MaxValue;
        }

        int[] seeds = [1, 2, 3];
        var ridge = seeds.Select(s => ToBest("hiltuner", s)).ToArray();
        var lann = seeds.Select(s => ToBest("hiltuner-lann", s)).ToArray();
        TestContext.WriteLine($"measurements to the synthetic board's best — hiltuner: {string.Join(", ", ridge)}; hiltuner-lann: {string.Join(", ", lann)}");
        Assert.IsTrue(lann.All(m => m < int.MaxValue), "the best is reached on every seed");
        Assert.IsTrue(lann.Zip(ridge).All(p => p.First <= p.Second), "no more measurements on any seed");
    }

    /// <summary>The synthetic board's ln(time / estimate): a per-layer factor, and less time for more compute-module loads.</summary>
    private static double Deviation(float[] row, double layerFactor) => Math.Log(layerFactor) + (-0.8 * Math.Log(1 + row[ComputeRows]));

    /// <summary>The compiled programs of a layer's space on the uncalibrated board, as hiltuner's rows.</summary>
    private static List<float[]> Rows(string name)
    {
        var workload = WorkloadRegistry.Resolve(name);
        var board = Repository.UncalibratedBoard;
        var space = new TuningTask(workload, board, seed: 1).Space;
        var rows = new List<float[]>();
        for (var i = 0L; i < space.Size; i++)
        {
            if (GroundTruth.Builder.Build(workload, space.Get(i), board).Program is { } program)
            {
                rows.Add(ProgramFeatures.Of(program, board));
            }
        }

        return rows;
    }
}
