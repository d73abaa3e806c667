using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Selection;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class VariantSelectionTests
{
    private static LayerFigure M(double seconds) => new(seconds, FigureSource.Measured, 0);

    /// <summary>Three layers; variant 1 is 0.1 s faster on the middle one only, variant 0 is loaded at the start.</summary>
    private static readonly IReadOnlyList<IReadOnlyList<LayerFigure?>> MiddleFasterOnOne =
    [
        [M(1.0), M(1.2)],
        [M(1.0), M(0.9)],
        [M(1.0), M(1.2)],
    ];

    [TestMethod]
    public void AMixedPlanIsChosenOnlyWhenWhatItSavesPaysForTheLoads()
    {
        // Going to variant 1 and back costs both loads: 0.04 + 0.04 < 0.1 saved, so the plan switches twice.
        var cheap = VariantPlanner.Plan(MiddleFasterOnOne, [0.04, 0.04]);
        CollectionAssert.AreEqual(new[] { 0, 1, 0 }, cheap.Variants.ToArray());
        Assert.IsTrue(cheap.Mixed);
        Assert.AreEqual(2, cheap.Switches);
        Assert.AreEqual(2.9 + 0.08, cheap.Seconds, 1e-12);

        // 0.06 + 0.06 > 0.1: the same layers stay on the start variant, though variant 1 is the faster for one of them.
        var dear = VariantPlanner.Plan(MiddleFasterOnOne, [0.06, 0.06]);
        CollectionAssert.AreEqual(new[] { 0, 0, 0 }, dear.Variants.ToArray());
        Assert.IsFalse(dear.Mixed);
        Assert.AreEqual(0, dear.Switches);
        Assert.AreEqual(3.0, dear.Seconds, 1e-12);

        // Saving exactly the loads is a tie: no switch is paid for nothing.
        CollectionAssert.AreEqual(new[] { 0, 0, 0 }, VariantPlanner.Plan(MiddleFasterOnOne, [0.05, 0.05]).Variants.ToArray());
    }

    [TestMethod]
    public void InferencesRunLayerAfterLayerPayForALoadTheyShare()
    {
        // 0.1 s saved per inference: 0.5 s loads pay off over 20 inferences (2 s saved, 1 s loaded), not over 5.
        CollectionAssert.AreEqual(new[] { 0, 0, 0 }, VariantPlanner.Plan(MiddleFasterOnOne, [0.5, 0.5], inferences: 5).Variants.ToArray());
        var batch = VariantPlanner.Plan(MiddleFasterOnOne, [0.5, 0.5], inferences: 20);
        CollectionAssert.AreEqual(new[] { 0, 1, 0 }, batch.Variants.ToArray());
        Assert.AreEqual((2.9 * 20) + 1.0, batch.Seconds, 1e-9);
    }

    [TestMethod]
    public void TheStartVariantIsLoadedAndAnotherOneCostsItsLoadFirst()
    {
        // Variant 1 is faster everywhere by 0.05 s per layer (0.15 s in all): worth one 0.1 s load, not one of 0.2 s.
        IReadOnlyList<IReadOnlyList<LayerFigure?>> figures = [[M(1.0), M(0.95)], [M(1.0), M(0.95)], [M(1.0), M(0.95)]];
        CollectionAssert.AreEqual(new[] { 1, 1, 1 }, VariantPlanner.Plan(figures, [0.1, 0.1]).Variants.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 0, 0 }, VariantPlanner.Plan(figures, [0.2, 0.2]).Variants.ToArray());
        Assert.AreEqual(2.85 + 0.2, VariantPlanner.Single(figures, [0.2, 0.2], 1)!.Seconds, 1e-12);

        // A layer a variant has no figure for is never placed there.
        IReadOnlyList<IReadOnlyList<LayerFigure?>> gap = [[M(1.0), M(0.5)], [M(1.0), null], [M(1.0), M(0.5)]];
        CollectionAssert.AreEqual(new[] { 1, 0, 1 }, VariantPlanner.Plan(gap, [0.1, 0.1]).Variants.ToArray());
        Assert.IsNull(VariantPlanner.Single(gap, [0.1, 0.1], 1));
    }

    /// <summary>
    /// Where a log measured a layer on a board, that measured best is its figure (marked measured), even when LANN
    /// predicts less; the layers no log holds are predicted, over the compiled space, and marked so.
    /// </summary>
    [TestMethod]
    public void AMeasuredFigureIsPreferredToAPredictionAndMarkedAsMeasured()
    {
        var board = Board.Default;
        var c11 = WorkloadRegistry.Find("resnet18.C11")!;
        var c10 = WorkloadRegistry.Find("resnet18.C10")!;
        var asked = 0;
        SecondsPredictor predict = rows =>
        {
            Interlocked.Add(ref asked, rows.Count);
            return [.. rows.Select((_, i) => 0.001 + (i * 1e-6))];
        };
        var measured = VariantSelection.BestOf([("resnet18.C11", 243L, 0.004), ("resnet18.C11", 17L, 0.009)]);
        var result = VariantSelection.Run([c11, c10], [new SelectionVariant(board, measured, predict)]);

        var c11Figure = result.Figures[0][0]!;
        Assert.AreEqual(FigureSource.Measured, c11Figure.Source);
        Assert.AreEqual("measured", c11Figure.SourceName);
        Assert.AreEqual(0.004, c11Figure.Seconds);
        Assert.AreEqual(243, c11Figure.Index);

        var c10Figure = result.Figures[1][0]!;
        Assert.AreEqual(FigureSource.Predicted, c10Figure.Source);
        Assert.AreEqual(0.001, c10Figure.Seconds, 1e-12);
        Assert.AreEqual(VariantSelection.DefaultCandidates, asked, "LANN predicts the configurations the timing model ranks fastest, and only C10's");

        // With 0 candidates, every configuration of C10 that compiles is predicted.
        asked = 0;
        var all = VariantSelection.Predicted(c10, board, predict, candidates: 0)!;
        Assert.IsTrue(asked > VariantSelection.DefaultCandidates && asked < Compiler.Space.Templates.For(c10, board.Vta).Size, $"{asked} configurations predicted");
        Assert.AreEqual(0.001, all.Seconds, 1e-12);
    }

    [TestMethod]
    public void ALayerWithoutAnyFigureIsRefusedNamingIt()
    {
        var c11 = WorkloadRegistry.Find("resnet18.C11")!;
        var e = Assert.ThrowsExactly<SelectionException>(() => VariantSelection.Run([c11], [new SelectionVariant(Board.Default, new Dictionary<string, LayerFigure>(), null)]));
        StringAssert.Contains(e.Message, "no figure for resnet18.C11 on any variant");
    }
}
