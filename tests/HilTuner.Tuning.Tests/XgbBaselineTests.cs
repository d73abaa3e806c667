using HilTuner.Compiler;
using HilTuner.Tuning.Tuners;

namespace HilTuner.Tuning.Tests;

/// <summary>The XGB baseline as AutoTVM runs it: rank loss on continuous labels, annealer points ≥ 0, itervar-like features, load_history.</summary>
[TestClass]
public sealed class XgbBaselineTests
{
    /// <summary>
    /// 300 rows whose labels differ by less than one of the 30 grades the LambdaRank model quantised them to (all
    /// within [0.50, 0.53)): the pairwise model on continuous labels, pairs drawn over all 300 rows, still orders them.
    /// </summary>
    [TestMethod]
    public void TheRankingModelOrdersLabelsCloserThanAQuantisedGrade()
    {
        var rows = Enumerable.Range(0, 300).Select(i => new[] { (float)(i % 17), (float)i }).ToList();
        var labels = Enumerable.Range(0, 300).Select(i => 0.5 + (i * 1e-4)).ToList();
        var model = new RankingCostModel(seed: 1);
        model.Fit(rows, labels, null, recallAt: 64);
        var scores = rows.Select(r => model.Predict(r)).ToList();
        var concordant = 0;
        var pairs = 0;
        for (var i = 0; i < 300; i += 7)
        {
            for (var j = i + 50; j < 300; j += 11)
            {
                pairs++;
                concordant += scores[j] > scores[i] ? 1 : 0;
            }
        }

        Assert.IsGreaterThan(0.95 * pairs, concordant, $"{concordant} of {pairs} pairs ordered as their labels");
    }

    /// <summary>A base margin is where the trees start: equal labels leave nothing to learn and the score is the trees' alone.</summary>
    [TestMethod]
    public void RowsWithOneLabelTeachNothing()
    {
        var rows = Enumerable.Range(0, 20).Select(i => new[] { (float)i }).ToList();
        var model = new RankingCostModel(seed: 1);
        model.Fit(rows, [.. Enumerable.Repeat(0.0, 20)], [.. Enumerable.Range(0, 20).Select(i => (double)i)], recallAt: 8);
        Assert.AreEqual(0, model.Predict([3f]));
        Assert.AreEqual(0, model.Predict([17f]));
    }

    /// <summary>AutoTVM's sa_model_optimizer keeps only the points scored ≥ 0.</summary>
    [TestMethod]
    public void TheAnnealerReturnsOnlyPointsScoredAtLeastZero()
    {
        var space = GroundTruth.Of("resnet18.C11").Space;
        var annealing = new SimulatedAnnealing(space, new Random(1));
        var maximums = annealing.FindMaximums(i => i % 2 == 0 ? 1 + (i / (double)space.Size) : -1, 64, new HashSet<long>());
        Assert.HasCount(64, maximums);
        Assert.IsTrue(maximums.All(i => i % 2 == 0));
        var negative = annealing.FindMaximums(i => i < 10 ? i : -1, 64, new HashSet<long>());
        Assert.IsTrue(negative.All(i => i < 10), "points scored below 0 were returned");
        Assert.IsLessThanOrEqualTo(10, negative.Count);
    }

    /// <summary>The program features leave the timing model's estimate out, and are what xgb sees unless told knob.</summary>
    [TestMethod]
    public void ProgramFeaturesAreTheDefaultAndLeaveTheEstimateOut()
    {
        Assert.IsFalse(XgbFeatures.ProgramNames.Any(n => n.Contains("est_", StringComparison.Ordinal)));
        Assert.Contains("compile.dma_bytes_inp", XgbFeatures.ProgramNames);
        Assert.Contains("compile.gemm_uop_iterations", XgbFeatures.ProgramNames);
        Assert.AreEqual(ProgramFeatures.Count - 7, XgbFeatures.ProgramNames.Count, "the seven est_ columns left out");

        var truth = GroundTruth.Of("resnet18.C11");
        var context = truth.Context(1);
        Assert.AreEqual(XgbFeatureKind.Program, context.XgbFeature);
        var configuration = truth.Space.Get(Array.FindIndex(truth.Gflops, g => g > 0));
        Assert.HasCount(XgbFeatures.ProgramNames.Count, XgbFeatures.Of(XgbFeatureKind.Program, context, truth.Workload, configuration));
        CollectionAssert.AreEqual(KnobFeatures.Of(configuration), XgbFeatures.Of(XgbFeatureKind.Knob, context, truth.Workload, configuration));
    }

    /// <summary>The two feature kinds make different models: after the first plan (64 random picks) the runs part.</summary>
    [TestMethod]
    public void KnobAndProgramFeaturesPlanDifferently()
    {
        var truth = GroundTruth.Of("resnet18.C11");
        truth.Drive(new XgbTuner(truth.Context(4)), 140, out var program);
        truth.Drive(new XgbTuner(truth.Context(4) with { XgbFeature = XgbFeatureKind.Knob }), 140, out var knob);
        CollectionAssert.AreEqual(program[..64], knob[..64]);
        CollectionAssert.AreNotEqual(program, knob);
    }

    /// <summary>
    /// AutoTVM's load_history: fewer than 500 history records train no base model (the first batch is random, as
    /// without transfer); 500 or more plan the first batch from it.
    /// </summary>
    [TestMethod]
    public void TransferNeedsFiveHundredRecordsAsAutoTvmsLoadHistory()
    {
        var source = GroundTruth.Of("resnet18.C11");
        var all = Enumerable.Range(0, (int)source.Space.Size).Select(i => (source.Space.Get(i), source.Gflops[i])).ToList();
        Assert.IsGreaterThanOrEqualTo(XgbCostModel.MinSeedRecords, all.Count);

        var few = new XgbTuner(source.Context(3));
        few.Transfer([new TransferTask(source.Workload, all[..(XgbCostModel.MinSeedRecords - 1)])]);
        var alone = new XgbTuner(source.Context(3));
        CollectionAssert.AreEqual(alone.NextBatch(8).Select(c => c.Index).ToList(), few.NextBatch(8).Select(c => c.Index).ToList());

        var many = new XgbTuner(source.Context(3));
        many.Transfer([new TransferTask(source.Workload, all)]);
        Assert.IsGreaterThanOrEqualTo(0.9 * source.Best, many.NextBatch(8).Max(c => source.Gflops[c.Index]));
    }
}
