using System.Globalization;
using System.Text.Json;
using HilTuner.Compiler;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
using HilTuner.Onnx;
using HilTuner.Tuning.Models;
using HilTuner.Vta.Config;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

using HilTuner.Validity;

namespace HilTuner.Tuning.ValidityTraining;

/// <summary>
/// Trains ModelV: gradient-boosted trees (ML.NET FastTree) with a Platt calibration, predicting the probability
/// that a compiled configuration fails on the target; one more head per failure class the data hold enough of.
/// </summary>
public static class ValidityTrainer
{
    /// <summary>The failure heads: one per status that fails on the target.</summary>
    private static readonly MeasureStatus[] FailureClasses = [.. MeasureStatuses.All.Where(d => d.FailedOnTarget).Select(d => d.Status)];

    public static TrainedValidityModel Train(IReadOnlyList<MeasuredProgram> examples, Board board, ValidityTrainingOptions? options = null)
    {
        options ??= new ValidityTrainingOptions();
        var failures = examples.Count(e => e.Failed);
        if (failures == 0 || failures == examples.Count)
        {
            throw new ValidityModelException(
                $"a validity model needs configurations that ran and configurations that failed on the target; of {examples.Count} measured, {failures} failed. Tune longer, or add logs of other layers");
        }

        var ml = new MLContext(options.Seed);
        var (transformer, failHead) = TrainHead(ml, examples, e => e.Failed, ValidityModelFormat.FailHead, options);
        var heads = new List<CalibratedTreeHead> { failHead };
        var classCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var status in FailureClasses)
        {
            var positives = examples.Count(e => e.Status == status);
            classCounts[status.JsonName()] = positives;
            if (positives >= options.MinimumClassExamples && examples.Count - positives >= options.MinimumClassExamples)
            {
                heads.Add(TrainHead(ml, examples, e => e.Status == status, ValidityModelFormat.ClassHead(status.JsonName()), options).Head);
            }
        }

        var validation = ChooseThreshold(examples, options);
        var threshold = validation.Threshold;
        var metadata = new Dictionary<string, string>
        {
            [ValidityModelFormat.KindKey] = ValidityModelFormat.Kind,
            [ValidityModelFormat.VtaConfigKey] = board.Vta.ConfigString,
            [ValidityModelFormat.BoardKey] = board.Name,
            [ValidityModelFormat.ThresholdKey] = threshold.ToString("R", CultureInfo.InvariantCulture),
            [ValidityModelFormat.TrainingRowsKey] = examples.Count.ToString(CultureInfo.InvariantCulture),
            [ValidityModelFormat.TrainingFailuresKey] = failures.ToString(CultureInfo.InvariantCulture),
            [ValidityModelFormat.ClassCountsKey] = JsonSerializer.Serialize(classCounts),
            [ValidityModelFormat.CompilerKey] = CompileFeatures.Definitions.Count.ToString(CultureInfo.InvariantCulture),
        };
        return new TrainedValidityModel(new CalibratedTreeModel(ProgramFeatures.Names, heads, metadata), validation, ml, transformer);
    }

    /// <summary>
    /// The lowest threshold at which at most <see cref="ValidityTrainingOptions.MaxFalseSkip"/> of the configurations
    /// that ran correctly would be skipped, judged on out-of-fold predictions, and how the gate does there; a threshold
    /// of 0.5 without figures when there are too few examples to fold.
    /// </summary>
    internal static CrossValidation ChooseThreshold(IReadOnlyList<MeasuredProgram> examples, ValidityTrainingOptions options)
    {
        var folds = Math.Max(2, options.Folds);
        if (examples.Count < folds * 4)
        {
            return new CrossValidation(0.5, 0, null, null);
        }

        // Stratified folds: failures and successes dealt round-robin after a seeded shuffle.
        var random = new Random(options.Seed);
        var fold = new int[examples.Count];
        foreach (var failed in new[] { true, false })
        {
            var members = Enumerable.Range(0, examples.Count).Where(i => examples[i].Failed == failed).OrderBy(_ => random.Next()).ToList();
            for (var k = 0; k < members.Count; k++)
            {
                fold[members[k]] = k % folds;
            }
        }

        var outOfFold = new double?[examples.Count];
        var ml = new MLContext(options.Seed);
        for (var f = 0; f < folds; f++)
        {
            var train = examples.Where((_, i) => fold[i] != f).ToList();
            if (train.All(e => e.Failed) || train.All(e => !e.Failed))
            {
                continue;
            }

            var head = TrainHead(ml, train, e => e.Failed, ValidityModelFormat.FailHead, options).Head;
            for (var i = 0; i < examples.Count; i++)
            {
                if (fold[i] == f)
                {
                    outOfFold[i] = head.ComputeProbability(examples[i].Features);
                }
            }
        }

        var ok = Enumerable.Range(0, examples.Count).Where(i => !examples[i].Failed && outOfFold[i] is not null).Select(i => outOfFold[i]!.Value).OrderDescending().ToList();
        var bad = Enumerable.Range(0, examples.Count).Where(i => examples[i].Failed && outOfFold[i] is not null).Select(i => outOfFold[i]!.Value).ToList();
        if (ok.Count == 0)
        {
            return new CrossValidation(0.5, folds, null, null);
        }

        var allowed = (int)Math.Floor(options.MaxFalseSkip * ok.Count);
        var threshold = Math.Clamp(allowed < ok.Count ? ok[allowed] + 1e-6 : 0.05, 0.05, 0.99);
        return new CrossValidation(
            threshold,
            folds,
            bad.Count == 0 ? null : bad.Count(p => p >= threshold) / (double)bad.Count,
            ok.Count(p => p >= threshold) / (double)ok.Count);
    }

    /// <summary>The <c>p_fail</c> head alone, without threshold search or class heads (for models refit while tuning).</summary>
    internal static CalibratedTreeHead TrainFailHead(IReadOnlyList<MeasuredProgram> examples, ValidityTrainingOptions options) =>
        TrainHead(new MLContext(options.Seed), examples, e => e.Failed, ValidityModelFormat.FailHead, options).Head;

    private static (ITransformer Transformer, CalibratedTreeHead Head) TrainHead(
        MLContext ml, IReadOnlyList<MeasuredProgram> examples, Func<MeasuredProgram, bool> label, string name, ValidityTrainingOptions options)
    {
        var data = ToDataView(ml, examples.Select(e => new ValidityRow { Features = e.Features, Label = label(e) }));
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
            LearningRate = options.LearningRate,
            NumberOfThreads = 1,
        });
        var transformer = trainer.Fit(data);
        return (transformer, MlNetTreeConverter.FromFastTreeBinary(name, transformer.Model));
    }

    internal static IDataView ToDataView(MLContext ml, IEnumerable<ValidityRow> rows)
    {
        var schema = SchemaDefinition.Create(typeof(ValidityRow));
        schema[nameof(ValidityRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ProgramFeatures.Count);
        return ml.Data.LoadFromEnumerable(rows.ToList(), schema);
    }
}
