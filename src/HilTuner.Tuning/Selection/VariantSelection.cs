using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Log;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Selection;

/// <summary>Predicted seconds of <see cref="ProgramFeatures"/> rows (a LANN file through OnnxRuntime, or a network in memory).</summary>
public delegate IReadOnlyList<double> SecondsPredictor(IReadOnlyList<float[]> programRows);

/// <summary>
/// One variant a layer may run on: a board file (its VTA configuration is one bitstream), what the tuning logs measured
/// on it (workload name → best), and the performance model that predicts the rest (null: measured figures only).
/// </summary>
public sealed record SelectionVariant(Board Board, IReadOnlyDictionary<string, LayerFigure> Measured, SecondsPredictor? Predict)
{
    /// <summary>The time to load the variant's bitstream, in seconds (<c>fpga.bitstream_load_ms</c>; 0 when the board file does not say).</summary>
    public double LoadSeconds => (Board.BitstreamLoadMs ?? 0) / 1000;
}

/// <summary>Every layer's figure on every variant, the best variant of each layer alone, and the whole-network plan.</summary>
public sealed record SelectionResult(
    IReadOnlyList<Workload> Layers,
    IReadOnlyList<SelectionVariant> Variants,
    IReadOnlyList<IReadOnlyList<LayerFigure?>> Figures,
    IReadOnlyList<int> BestPerLayer,
    SelectionPlan Plan,
    IReadOnlyList<SelectionPlan?> SingleVariantPlans,
    int Inferences);

/// <summary>
/// Variant selection (the LANN paper's use of its predictions, Srivastava et al., arXiv 2003.07497): for every layer of a
/// network, its best time on each variant — measured where a tuning log holds the layer on that board, else the best
/// LANN predicts over every configuration of the layer's space that compiles there — then the fastest variant per layer
/// and, by <see cref="VariantPlanner"/>, for the whole network with the bitstream loads a switch costs.
/// </summary>
public static class VariantSelection
{
    /// <summary>
    /// The best measured time of each workload in <paramref name="records"/> on <paramref name="board"/>: records that
    /// name the board and its VTA configuration and ran to the end with a time (AutoTVM's own records name no board and
    /// are not used).
    /// </summary>
    public static IReadOnlyDictionary<string, LayerFigure> Measured(IEnumerable<TuningRecord> records, Board board) =>
        BestOf(records
            .Where(r => r.Facts is { } f && f.Board == board.Name && f.VtaConfig == board.Vta.ConfigString
                && r.Status == MeasureStatus.Ok && r.MeanCost is > 0 and < TuningRecord.FailureCost)
            .Select(r => (r.Facts!.Workload, r.Index, r.MeanCost)));

    /// <summary>The fastest of each workload's measured configurations, as measured figures.</summary>
    public static IReadOnlyDictionary<string, LayerFigure> BestOf(IEnumerable<(string Workload, long Index, double Seconds)> measured) =>
        measured
            .GroupBy(m => m.Workload, StringComparer.Ordinal)
            .Select(g => g.MinBy(m => m.Seconds))
            .ToDictionary(m => m.Workload, m => new LayerFigure(m.Seconds, FigureSource.Measured, m.Index), StringComparer.Ordinal);

    /// <summary>How many configurations of a layer LANN predicts by default: the ones the timing model ranks fastest.</summary>
    public const int DefaultCandidates = 32;

    private static readonly int EstimateColumn = ProgramFeatures.Names.ToList().IndexOf("compile.est_seconds");

    /// <summary>
    /// The best predicted time over the configurations of <paramref name="workload"/>'s space worth predicting on
    /// <paramref name="board"/>: of those that compile, the <paramref name="candidates"/> the board file's timing model
    /// estimates fastest (0: every one). The minimum of many predictions is biased low by the most optimistic errors
    /// (the winner's curse), and more so where the network extrapolates; the timing model's best few are where a tuned
    /// layer ends, and they are the same configurations for variants seen through the same board file. Null when
    /// nothing compiles.
    /// </summary>
    public static LayerFigure? Predicted(Workload workload, Board board, SecondsPredictor predict, int candidates = DefaultCandidates)
    {
        if (workload.PackingProblem(board.Vta) is not null)
        {
            return null;
        }

        var space = Templates.For(workload, board.Vta);
        var rows = new float[]?[space.Size];
        Parallel.For(0, (int)space.Size, i =>
        {
            if (VtaCompiler.Compile(workload, space.Get(i), board).Program is { } program)
            {
                rows[i] = ProgramFeatures.Of(program, board);
            }
        });
        var compiled = Enumerable.Range(0, rows.Length).Where(i => rows[i] is not null)
            .OrderBy(i => candidates > 0 ? rows[i]![EstimateColumn] : 0).ThenBy(i => i)
            .Take(candidates > 0 ? candidates : int.MaxValue).ToArray();
        if (compiled.Length == 0)
        {
            return null;
        }

        var seconds = predict([.. compiled.Select(i => rows[i]!)]);
        LayerFigure? best = null;
        for (var k = 0; k < compiled.Length; k++)
        {
            if (double.IsFinite(seconds[k]) && seconds[k] > 0 && seconds[k] < (best?.Seconds ?? double.PositiveInfinity))
            {
                best = new LayerFigure(seconds[k], FigureSource.Predicted, compiled[k]);
            }
        }

        return best;
    }

    /// <summary>
    /// Every layer's figure on every variant (predictions over <paramref name="candidates"/> configurations, see
    /// <see cref="Predicted"/>), the best variant per layer, and the plan for <paramref name="inferences"/> inferences
    /// run layer after layer, starting with the first variant's bitstream loaded.
    /// </summary>
    public static SelectionResult Run(IReadOnlyList<Workload> layers, IReadOnlyList<SelectionVariant> variants, int inferences = 1, int candidates = DefaultCandidates)
    {
        var figures = layers.Select(w => (IReadOnlyList<LayerFigure?>)[.. variants.Select(v =>
            v.Measured.TryGetValue(w.Name, out var measured) ? measured
            : v.Predict is { } predict ? Predicted(w, v.Board, predict, candidates)
            : null)]).ToList();
        var missing = layers.Where((w, i) => figures[i].All(f => f is null)).Select(w => w.Name).ToList();
        if (missing.Count > 0)
        {
            throw new SelectionException($"no figure for {string.Join(", ", missing)} on any variant: give a log that measured it on one of the boards, or a performance model (--model) for a board whose configuration compiles it");
        }

        var best = figures.Select(f => Enumerable.Range(0, f.Count).Where(v => f[v] is not null).MinBy(v => f[v]!.Seconds)).ToList();
        IReadOnlyList<double> loads = [.. variants.Select(v => v.LoadSeconds)];
        return new SelectionResult(
            layers,
            variants,
            figures,
            best,
            VariantPlanner.Plan(figures, loads, 0, inferences),
            [.. Enumerable.Range(0, variants.Count).Select(v => VariantPlanner.Single(figures, loads, v, 0, inferences))],
            inferences);
    }
}

/// <summary>Variant selection that cannot be made from what it was given: the message says what is missing.</summary>
public sealed class SelectionException(string message) : Exception(message);
