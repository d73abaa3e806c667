using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Session;
using HilTuner.Tuning.Tuners;
using HilTuner.Tuning.ValidityTraining;

using HilTuner.Validity;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>
/// Compares tuners on replay: every tuner tunes every layer with several seeds against the layer's ground truth,
/// through the same measurement pipeline as a real run, and each run is scored against the known optimum.
/// </summary>
public static class TunerBenchmark
{
    public static BenchmarkResult Run(IReadOnlyList<GroundTruthTable> tables, TunerBenchmarkOptions options, Action<string>? progress = null, CancellationToken cancel = default)
    {
        if (tables.Count == 0)
        {
            throw new ArgumentException("no layers to benchmark", nameof(tables));
        }

        var board = tables[0].Board;
        progress?.Invoke($"compiling {tables.Count} layer(s) for the models");
        var layers = tables.Select(t => new LayerData(t)).ToList();
        var priors = layers.Select(layer => Priors(layer, layers, board, options, progress)).ToList();

        var runs = (
            from l in Enumerable.Range(0, layers.Count)
            from tuner in options.Tuners
            from k in Enumerable.Range(0, options.Seeds)
            select (Layer: l, Tuner: tuner, Seed: options.SeedBase + k)).ToList();
        var results = new RunMetrics[runs.Count];
        var done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount, CancellationToken = cancel };
        Parallel.For(0, runs.Count, parallel, i =>
        {
            var (l, tuner, seed) = runs[i];
            results[i] = RunOne(layers[l], priors[l], tuner, seed, options);
            var count = Interlocked.Increment(ref done);
            progress?.Invoke($"[{count}/{runs.Count}] {tuner} on {layers[l].Name}, seed {seed}: best found at trial {results[i].TrialsToBest?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
        });

        return new BenchmarkResult(board, options, layers.Select(l => new LayerSummary(l.Name, l.BestGflops, l.Truth.Entries.Count, l.RandomBest)).ToList(), results);
    }

    /// <summary>What the validity-aware tuners know of a layer: everything measured on the other layers.</summary>
    private static TunerPriors Priors(LayerData layer, IReadOnlyList<LayerData> layers, Vta.Config.Board board, TunerBenchmarkOptions options, Action<string>? progress)
    {
        if (!options.Transfer || layers.Count < 2)
        {
            return TunerPriors.None;
        }

        var others = layers.Where(l => l != layer).SelectMany(l => l.Programs).ToList();
        IValidityModel? validity = null;
        try
        {
            validity = ValidityTrainer.Train(others, board);
        }
        catch (ValidityModelException e)
        {
            progress?.Invoke($"{layer.Name}: no prior validity model ({e.Message})");
        }

        return new TunerPriors { Validity = validity, Programs = others };
    }

    private static RunMetrics RunOne(LayerData layer, TunerPriors priors, string tunerName, int seed, TunerBenchmarkOptions options)
    {
        var truth = layer.Truth;
        var collector = new RecordCollector();
        new TuningRun
        {
            Board = truth.Board,
            Target = new ReplayTarget(truth.Board, [truth]),
            Tuner = tunerName,
            Options = new TuningOptions { Trials = options.Trials, Seed = seed, BuildThreads = 1, Measure = MeasureOptions.Default with { TimeoutSeconds = options.HangSeconds } },
            Builder = layer.Builder,
            PriorsOf = _ => priors,
            XgbFeature = options.XgbFeature,
        }.Tune(truth.Workload, [collector]);
        var records = collector.Records;
        var (measurements, failed, invalid, lost, best) = (0, 0, 0, 0.0, 0.0);
        int? trialsToBest = null, measurementsToBest = null;
        var curve = new double[records.Count];
        for (var t = 0; t < records.Count; t++)
        {
            var r = records[t];
            var status = r.Status.Describe();
            var measured = status.ReachedTarget;
            measurements += measured ? 1 : 0;
            failed += status.Status == MeasureStatus.Ok ? 0 : 1;
            invalid += status.FailedOnTarget ? 1 : 0;
            lost += status.LosesBoardTime ? options.HangSeconds : 0;
            best = Math.Max(best, r.Gflops(truth.Workload.Operations));
            curve[t] = best;
            if (trialsToBest is null && r.Index == layer.BestIndex && status.Status == MeasureStatus.Ok)
            {
                (trialsToBest, measurementsToBest) = (t + 1, measurements);
            }
        }

        return new RunMetrics
        {
            Tuner = tunerName,
            Workload = layer.Name,
            Seed = seed,
            Trials = records.Count,
            Measurements = measurements,
            TrialsToBest = trialsToBest,
            MeasurementsToBest = measurementsToBest,
            FailedTrials = failed,
            InvalidMeasurements = invalid,
            LostSeconds = lost,
            BestCurve = curve,
        };
    }
}
