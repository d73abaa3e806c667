using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Session;
using HilTuner.Tuning.Tuners;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Benchmarks;

/// <summary>A truth board and its ground truth of the benchmark's layers (measured once on its simulator).</summary>
public sealed record TruthBoard(Board Board, IReadOnlyList<GroundTruthTable> Tables);

/// <summary>
/// Compares tuners on truth boards: every tuner tunes the layers in order with several seeds; it compiles, estimates
/// and gates with the nominal board, and every measurement comes from a truth board (<see cref="TruthBoardTarget"/>:
/// its simulator's answers with noise). Each run is scored against the truth board's optimum. A tuner learns of
/// other layers only from what it measured itself earlier in the same sequence, or from logs given explicitly.
/// </summary>
public static class TunerBenchmark
{
    /// <summary>The benchmark with the nominal board as its own truth (the tables' board).</summary>
    public static BenchmarkResult Run(IReadOnlyList<GroundTruthTable> tables, TunerBenchmarkOptions options, Action<string>? progress = null, CancellationToken cancel = default) =>
        Run(tables.Count > 0 ? tables[0].Board : throw new ArgumentException("no layers to benchmark", nameof(tables)), [new TruthBoard(tables[0].Board, tables)], options, progress, cancel).Boards[0];

    public static TruthBenchmarkResult Run(Board nominal, IReadOnlyList<TruthBoard> truths, TunerBenchmarkOptions options, Action<string>? progress = null, CancellationToken cancel = default)
    {
        if (truths.Count == 0 || truths[0].Tables.Count == 0)
        {
            throw new ArgumentException("no truth board or no layers to benchmark", nameof(truths));
        }

        foreach (var truth in truths)
        {
            TruthBoardTarget.RequireSameConfiguration(nominal, truth.Board);
        }

        var workloads = truths[0].Tables.Select(t => t.Workload).ToList();
        var builders = workloads.ToDictionary(w => w, _ => new CachingBuilder(LocalBuilder.Instance));
        var layers = truths.Select(t => t.Tables.Select(table => new LayerData(table)).ToList()).ToList();

        // One sequence: a tuner with a seed tuning every layer in order on one truth board.
        var sequences = (
            from b in Enumerable.Range(0, truths.Count)
            from tuner in options.Tuners
            from k in Enumerable.Range(0, options.Seeds)
            select (Board: b, Tuner: tuner, Seed: options.SeedBase + k)).ToList();
        var results = new RunMetrics[sequences.Count][];
        var done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount, CancellationToken = cancel };
        Parallel.For(0, sequences.Count, parallel, i =>
        {
            var (b, tuner, seed) = sequences[i];
            results[i] = Sequence(nominal, truths[b], layers[b], builders, tuner, seed, options, cancel);
            var count = Interlocked.Increment(ref done);
            progress?.Invoke($"[{count}/{sequences.Count}] {tuner} on {truths[b].Board.Name}, seed {seed}: best found at trial {string.Join(", ", results[i].Select(r => r.TrialsToBest?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"))}");
        });

        var boards = truths.Select((t, b) => new BenchmarkResult(
            nominal,
            t.Board,
            options,
            layers[b].Select(l => new LayerSummary(l.Name, l.BestGflops, l.Truth.Entries.Count, l.RandomBest) { BestCount = l.CountBest(options.Tolerance) }).ToList(),
            sequences.Select((s, i) => (s, i)).Where(x => x.s.Board == b).SelectMany(x => results[x.i]).ToList())).ToList();
        return new TruthBenchmarkResult(nominal, boards, options);
    }

    /// <summary>
    /// One tuner with one seed over every layer in order on one truth board, as VTA's tutorial tunes a network into
    /// one log: each layer's tuner is given the records measured on the earlier layers (and the explicit transfer logs)
    /// when it takes transfer.
    /// </summary>
    private static RunMetrics[] Sequence(Board nominal, TruthBoard truth, IReadOnlyList<LayerData> layers, IReadOnlyDictionary<Workload, CachingBuilder> builders, string tunerName, int seed, TunerBenchmarkOptions options, CancellationToken cancel)
    {
        var descriptor = TunerFactory.Find(tunerName) ?? throw new ArgumentException($"unknown tuner {tunerName}", nameof(tunerName));
        var learns = descriptor.TakesTransfer || descriptor.UsesPriors;
        var earlier = new List<TuningRecord>();
        var metrics = new RunMetrics[layers.Count];
        for (var l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var collector = new RecordCollector();
            new TuningRun
            {
                Board = nominal,
                Target = new TruthBoardTarget(nominal, truth.Board, [layer.Truth], options.NoiseCv, seed),
                Tuner = tunerName,
                Options = new TuningOptions { Trials = options.Trials, Seed = seed, BuildThreads = 1, Measure = MeasureOptions.Default with { TimeoutSeconds = options.HangSeconds } },
                Builder = builders[layer.Truth.Workload],
                Transferred = learns ? [.. options.TransferLogs, .. earlier] : [],
                XgbFeature = options.XgbFeature,
            }.Tune(layer.Truth.Workload, [collector], cancel);
            metrics[l] = Score(layer, collector.Records, tunerName, seed, options, learns ? options.TransferLogs.Count + earlier.Count : 0);
            if (options.Transfer)
            {
                earlier.AddRange(collector.Records);
            }
        }

        return metrics;
    }

    /// <summary>What a run's records did against the truth board's ground truth (its GFLOPS without noise).</summary>
    private static RunMetrics Score(LayerData layer, IReadOnlyList<TuningRecord> records, string tunerName, int seed, TunerBenchmarkOptions options, int priorRecords)
    {
        var (measurements, failed, invalid, lost, best) = (0, 0, 0, 0.0, 0.0);
        int? trialsToBest = null, measurementsToBest = null;
        var curve = new double[records.Count];
        var byMeasurement = new List<double>();
        for (var t = 0; t < records.Count; t++)
        {
            var r = records[t];
            var status = r.Status.Describe();
            var measured = status.ReachedTarget;
            measurements += measured ? 1 : 0;
            failed += status.Status == MeasureStatus.Ok ? 0 : 1;
            invalid += status.FailedOnTarget ? 1 : 0;
            lost += status.LosesBoardTime ? options.HangSeconds : 0;
            best = Math.Max(best, status.Status == MeasureStatus.Ok ? layer.Gflops(r.Index) : 0);
            curve[t] = best;
            if (measured)
            {
                byMeasurement.Add(best);
            }

            if (trialsToBest is null && status.Status == MeasureStatus.Ok && layer.IsBest(r.Index, options.Tolerance))
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
            BestByMeasurement = byMeasurement,
            PriorRecords = priorRecords,
            Proposals = records.Select(r => r.Index).ToList(),
        };
    }
}
