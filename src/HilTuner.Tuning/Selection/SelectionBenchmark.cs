using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Performance;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Selection;

/// <summary>A variant of the selection benchmark: its board file and the ground truth of every layer on it (every configuration measured).</summary>
public sealed record BenchmarkVariant(Board Board, IReadOnlyList<GroundTruthTable> Tables);

/// <summary>One layer of the selection benchmark: the truly fastest variant (by the ground truth) and the one selection picked.</summary>
public sealed record SelectionBenchmarkLayer(Workload Layer, IReadOnlyList<double> TrueBest, int TrueVariant, int Picked, int PickedWithLogs)
{
    public bool Right => Picked == TrueVariant;

    public bool RightWithLogs => PickedWithLogs == TrueVariant;
}

/// <summary>
/// The selection benchmark's outcome: per layer the true and the picked variant, LANN-only (<see cref="Selection"/>:
/// no log, every figure predicted) and with the training measurements given as logs too (<see cref="WithLogs"/>: a
/// layer's figure is then the best of its sampled configurations), the plans on the truth, and the training sets.
/// </summary>
public sealed record SelectionBenchmarkResult(
    IReadOnlyList<SelectionBenchmarkLayer> Layers,
    SelectionResult Selection,
    SelectionResult WithLogs,
    SelectionPlan TruePlan,
    double PlanSecondsOnTruth,
    double PlanWithLogsSecondsOnTruth,
    IReadOnlyList<int> TrainingRows)
{
    public int Right => Layers.Count(l => l.Right);

    public int RightWithLogs => Layers.Count(l => l.RightWithLogs);
}

/// <summary>
/// Judges variant selection against measuring every candidate: for each variant, LANN is trained on at most
/// <c>samples</c> configurations drawn (seeded, evenly over the layers) from the ground truth of that variant's board —
/// the same draw for every variant, so that variants of one VTA configuration are measured on the same configurations
/// (among those that ran on each) and differ by their boards, not by the luck of their draws —
/// selection runs on LANN's predictions alone, and each layer's pick is compared with the variant whose ground truth has
/// the fastest configuration. The plan chosen on predictions is costed on the truth (each layer at its variant's true
/// best) against the plan the truth itself would choose.
/// </summary>
public static class SelectionBenchmark
{
    public static SelectionBenchmarkResult Run(IReadOnlyList<Workload> layers, IReadOnlyList<BenchmarkVariant> variants, int samples, int seed, int inferences = 1, int candidates = VariantSelection.DefaultCandidates)
    {
        var predicted = new List<SelectionVariant>();
        var logged = new List<SelectionVariant>();
        var trainingRows = new List<int>();
        for (var v = 0; v < variants.Count; v++)
        {
            var (board, tables) = (variants[v].Board, variants[v].Tables);
            var training = Sample(layers, board, tables, samples, seed);
            trainingRows.Add(training.Count);
            var network = PerformanceNetworks.Train(PerformanceNetworks.Lann, [.. training.Select(t => t.Program)], board, new NetworkTrainingOptions { Seed = seed });
            SecondsPredictor predict = rows => [.. rows.Select(r => network.Predict(PerformanceNetworks.Lann.Select(r)))];
            predicted.Add(new SelectionVariant(board, new Dictionary<string, LayerFigure>(), predict));
            logged.Add(new SelectionVariant(board, VariantSelection.BestOf(training.Select(t => (t.Layer, t.Index, t.Program.Seconds))), predict));
        }

        var selection = VariantSelection.Run(layers, predicted, inferences, candidates);
        var withLogs = VariantSelection.Run(layers, logged, inferences, candidates);
        var truth = layers.Select((w, i) => (IReadOnlyList<LayerFigure?>)[.. variants.Select(v =>
            v.Tables[i].Best() is { Index: >= 0 } best ? new LayerFigure(best.Seconds, FigureSource.Measured, best.Index) : null)]).ToList();
        var loads = variants.Select(v => (v.Board.BitstreamLoadMs ?? 0) / 1000).ToList();
        var truePlan = VariantPlanner.Plan(truth, loads, 0, inferences);
        double OnTruth(SelectionPlan plan) => VariantPlanner.Costed(truth, loads, plan.Variants, 0, inferences).Seconds;
        var results = layers.Select((w, i) =>
        {
            var best = Enumerable.Range(0, variants.Count).Where(v => truth[i][v] is not null).MinBy(v => truth[i][v]!.Seconds);
            return new SelectionBenchmarkLayer(w, [.. truth[i].Select(f => f?.Seconds ?? double.NaN)], best, selection.BestPerLayer[i], withLogs.BestPerLayer[i]);
        }).ToList();
        return new SelectionBenchmarkResult(results, selection, withLogs, truePlan, OnTruth(selection.Plan), OnTruth(withLogs.Plan), trainingRows);
    }

    /// <summary>
    /// Up to <paramref name="samples"/> configurations that ran on the board (ok in its ground truth), as many from each
    /// layer as the count allows, drawn at random (seeded): their program features and measured seconds.
    /// </summary>
    private static List<(string Layer, long Index, MeasuredProgram Program)> Sample(IReadOnlyList<Workload> layers, Board board, IReadOnlyList<GroundTruthTable> tables, int samples, int seed)
    {
        var random = new Random(seed);
        var drawn = new List<(string, long, MeasuredProgram)>();
        for (var i = 0; i < layers.Count; i++)
        {
            var quota = (samples / layers.Count) + (i < samples % layers.Count ? 1 : 0);
            // Every index is shuffled before the ones that ran are kept, so that the draw is the same on every board of a space.
            var ok = Enumerable.Range(0, tables[i].Entries.Count).OrderBy(_ => random.Next())
                .Where(k => tables[i].Entries[k].Status == MeasureStatus.Ok && tables[i].Entries[k].Seconds > 0).Take(quota).ToList();
            var space = Templates.For(layers[i], board.Vta);
            foreach (var k in ok)
            {
                var program = VtaCompiler.Compile(layers[i], space.Get(k), board).Program
                    ?? throw new InvalidOperationException($"{layers[i].Name} #{k} ran in the ground truth of {board.Name} but does not compile now");
                drawn.Add((layers[i].Name, k, new MeasuredProgram(ProgramFeatures.Of(program, board), MeasureStatus.Ok, tables[i].Entries[k].Seconds) { Target = "replay" }));
            }
        }

        return drawn;
    }
}
