using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
using HilTuner.Tuning.Tuners;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class ModelBasedTunerTests
{
    /// <summary>
    /// AutoTVM's cadence: no fit before a success; then a fit at each plan_size outcomes (here 8: at 16 once the first
    /// success came among outcomes 9–16, then 24), each fit planning the optimizer's best, which are proposed first —
    /// apart from the ε-greedy tail (with plan_size 8 none: int(0.05 · 8) = 0).
    /// </summary>
    [TestMethod]
    public void RefitsAtEveryPlanOnceASuccessCameAndProposesThePlanInOrder()
    {
        var space = GroundTruth.Of("dense.b16x512").Space;
        var model = new CountingModel();
        var tuner = new PlanTuner(space, model);
        var outcomes = 0;
        var fitsAt = new List<int>();
        for (var round = 0; round < 4; round++)
        {
            var batch = tuner.NextBatch(8);
            Assert.HasCount(8, batch);
            if (round == 3)
            {
                // The plan after the fit at 24 outcomes: the highest scores (highest indices) not yet visited, in order.
                var expected = Enumerable.Range(0, (int)space.Size).Select(i => (long)i).Reverse().Where(i => !tuner.Seen(i, batch)).Take(8);
                CollectionAssert.AreEqual(expected.ToList(), batch.Select(c => c.Index).ToList());
            }

            var fitsBefore = model.Fits;
            tuner.Update(batch.Select(c => new TrialOutcome(c, round >= 1 ? MeasureStatus.Ok : MeasureStatus.RuntimeError, round >= 1 ? 1.0 : 0)).ToList());
            outcomes += batch.Count;
            if (model.Fits > fitsBefore)
            {
                fitsAt.Add(outcomes);
            }
        }

        CollectionAssert.AreEqual(new[] { 16, 24, 32 }, fitsAt);
    }

    [TestMethod]
    public void EachDescriptorMakesTheTunerOfItsNameAndOnlyModelBasedTunersTakeTransfer()
    {
        var truth = GroundTruth.Of("dense.b16x512");
        foreach (var descriptor in TunerFactory.Descriptors)
        {
            Assert.AreEqual(descriptor.Name, truth.Tuner(descriptor.Name, 1).Name);
            Assert.AreEqual(descriptor.TakesTransfer, truth.Tuner(descriptor.Name, 1) is ModelBasedTuner, descriptor.Name);
        }

        CollectionAssert.AreEqual(TunerFactory.Descriptors.Select(d => d.Name).ToList(), TunerFactory.Names.ToList());
        Assert.IsNull(TunerFactory.Find("annealing"));
    }

    private sealed class CountingModel : ICostModel
    {
        public int Fits { get; private set; }

        public bool Fit(IReadOnlyList<TrialOutcome> observations)
        {
            Fits++;
            return true;
        }

        public double Predict(long index) => index;
    }

    /// <summary>Ranks by score over the whole space.</summary>
    private sealed class RankAll(ConfigSpace space) : IModelOptimizer
    {
        public IReadOnlyList<long> FindMaximums(Func<long, double> score, int num, IReadOnlySet<long> exclude) =>
            Enumerable.Range(0, (int)space.Size).Select(i => (long)i).Where(i => !exclude.Contains(i)).OrderByDescending(score).Take(num).ToList();
    }

    private sealed class PlanTuner(ConfigSpace space, ICostModel model)
        : ModelBasedTuner(space, seed: 1, planSize: 8, RefitCadence.EveryPlan, model, _ => new RankAll(space))
    {
        public override string Name => "plan";

        public bool Seen(long index, IReadOnlyList<Configuration> batch) => Visited.Contains(index) && !batch.Any(c => c.Index == index);
    }
}
