using System.Diagnostics;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Tuners;

namespace HilTuner.Tuning.Session;

/// <summary>
/// Tunes one task the way AutoTVM's <c>tuner.tune</c> does: ask the tuner for a batch, build it (in parallel),
/// screen the programs with the validity gate when there is one, run the rest on the target (one at a time),
/// log each trial as soon as it is decided, and tell the tuner.
/// </summary>
/// <remarks>
/// Resuming: records of this task already in the log are not measured again. The tuner is driven exactly as
/// in an uninterrupted run, and a configuration it proposes that the log already holds is answered from the
/// log, so a resumed run with the same seed makes the same decisions and measures only what is missing. Should
/// the tuner ever propose something the log does not hold while logged records are still unused (a different
/// tuner or seed), the remaining records are handed to it at once and count as trials.
/// </remarks>
public sealed class TuningSession(
    TuningTask task, ITuner tuner, ITarget target, TuningOptions options,
    IBuilder? builder = null, IValidityModel? gate = null)
{
    private readonly IBuilder _builder = builder ?? LocalBuilder.Instance;

    public TuningTask Task { get; } = task;

    /// <summary>
    /// Runs the task; <paramref name="logged"/> are this task's records already in the log, and
    /// <paramref name="observers"/> are told of every trial (the log among them records what is measured).
    /// </summary>
    public TaskProgress Run(IReadOnlyList<TuningRecord> logged, IReadOnlyList<ITrialObserver> observers, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var budget = (int)Math.Min(options.Trials, Task.Space.Size);

        // A board failure never attributed to its configuration is measured again (its record stays in the log).
        var remeasure = logged.Where(r => r.Unattributed).Select(r => r.Index).ToHashSet();
        var pending = new Dictionary<long, TuningRecord>();
        foreach (var record in logged.Where(r => !r.Unattributed))
        {
            pending.TryAdd(record.Index, record);
        }

        var resumed = pending.Count;
        var continuedFrom = OtherRun(logged, tuner.Name, options.Seed);
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var curve = new List<double>();
        var (trials, best, bestTrial, current) = (0, 0.0, 0, 0.0);
        string? stop = null;

        void Count(TrialOutcome outcome)
        {
            trials++;
            var status = outcome.Status.JsonName();
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            current = outcome.Gflops;
            if (outcome.Gflops > best)
            {
                (best, bestTrial) = (outcome.Gflops, trials);
            }

            curve.Add(best);
        }

        // The log's records, in the order they were measured, handed to the tuner at once as its first trials.
        void HandOver()
        {
            var rest = pending.Values.OrderBy(r => r.Facts?.Trial ?? int.MaxValue).Select(Outcome).ToList();
            pending.Clear();
            tuner.Update(rest);
            rest.ForEach(Count);
        }

        TaskProgress Snapshot(bool finished) => new()
        {
            Workload = Task.Workload.Name,
            Trials = trials,
            Budget = budget,
            CurrentGflops = current,
            BestGflops = best,
            BestTrial = bestTrial,
            Statuses = new Dictionary<string, int>(statuses),
            Elapsed = clock.Elapsed,
            BestCurve = curve.ToArray(),
            Resumed = resumed,
            Finished = finished,
            StopReason = finished ? stop : null,
            ContinuedFrom = continuedFrom,
        };

        // Another tuner's (or seed's) records would not be proposed in their order: they become this run's first
        // trials as they stand in the log, so the trial numbers here and in the log agree.
        if (continuedFrom is not null && pending.Count > 0)
        {
            HandOver();
        }

        while (true)
        {
            if (cancel.IsCancellationRequested)
            {
                stop = "cancelled";
                break;
            }

            if (trials >= budget)
            {
                stop = budget < options.Trials
                    ? $"all {Task.Space.Size} configurations of the space tried"
                    : $"budget of {budget} trials reached";
                break;
            }

            if (options.EarlyStopping is { } patience && bestTrial > 0 && trials - bestTrial >= patience)
            {
                stop = $"early stop: no better configuration in the {patience} trials since trial {bestTrial}";
                break;
            }

            var batch = tuner.HasNext ? tuner.NextBatch(Math.Min(options.BatchSize, budget - trials)) : [];
            if (batch.Count == 0)
            {
                stop = $"the {tuner.Name} tuner has nothing left to propose after {trials} trials (of the space's {Task.Space.Size} configurations, the rest are tried already or predicted to fail)";
                break;
            }

            // Answer from the log what it already holds; build the rest in parallel.
            var fromLog = batch.Select(c => pending.Remove(c.Index, out var r) ? r : null).ToArray();
            if (Enumerable.Range(0, batch.Count).Any(i => fromLog[i] is null && !remeasure.Contains(batch[i].Index)) && pending.Count > 0)
            {
                HandOver();

                // The log's records count against the budget: measure only what is left of it. The batch's own
                // logged records cost no measurement and are kept whatever the budget.
                var room = budget - trials - fromLog.Count(r => r is not null);
                var keep = new List<int>(batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (fromLog[i] is not null || room > 0)
                    {
                        room -= fromLog[i] is null ? 1 : 0;
                        keep.Add(i);
                    }
                }

                if (keep.Count < batch.Count)
                {
                    batch = [.. keep.Select(i => batch[i])];
                    fromLog = [.. keep.Select(i => fromLog[i])];
                }

                if (batch.Count == 0)
                {
                    stop = $"budget of {budget} trials reached";
                    break;
                }
            }

            var builds = new CompileResult?[batch.Count];
            var buildSeconds = new double[batch.Count];
            Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.BuildThreads) }, i =>
            {
                if (fromLog[i] is null)
                {
                    var started = Stopwatch.GetTimestamp();
                    builds[i] = _builder.Build(Task.Workload, batch[i], Task.Board);
                    buildSeconds[i] = Stopwatch.GetElapsedTime(started).TotalSeconds;
                }
            });

            var failureProbabilities = Screen(builds);
            var batchOutcomes = new List<TrialOutcome>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var (outcome, measured) = fromLog[i] is { } record
                    ? (Outcome(record), null)
                    : MeasureOne(batch[i], builds[i]!, trials + 1, buildSeconds[i], failureProbabilities[i]);
                batchOutcomes.Add(outcome);
                Count(outcome);
                var now = Snapshot(false);
                foreach (var observer in observers)
                {
                    observer.OnTrial(measured, now);
                }
            }

            tuner.Update(batchOutcomes);
        }

        var done = Snapshot(true);
        foreach (var observer in observers)
        {
            observer.OnTaskEnd(done);
        }

        return done;
    }

    /// <summary>
    /// What made <paramref name="logged"/> when it was not this run's tuner and seed (e.g. "xgb, seed 1"); null when the
    /// records are this run's own (or say nothing of who made them: plain AutoTVM records).
    /// </summary>
    public static string? OtherRun(IEnumerable<TuningRecord> logged, string tuner, int seed)
    {
        var other = logged.Select(r => r.Facts).FirstOrDefault(f => f is not null && (f.Tuner != tuner || (f.Seed is { } s && s != seed)));
        return other is null ? null : other.Seed is { } otherSeed ? $"{other.Tuner}, seed {otherSeed}" : other.Tuner;
    }

    /// <summary>The gate's failure probability of each compiled program of a batch (null where it was not asked).</summary>
    private double?[] Screen(CompileResult?[] builds)
    {
        var probabilities = new double?[builds.Length];
        if (gate is null)
        {
            return probabilities;
        }

        var compiled = Enumerable.Range(0, builds.Length).Where(i => builds[i]?.Program is not null).ToList();
        if (compiled.Count == 0)
        {
            return probabilities;
        }

        var p = gate.FailureProbabilities(Task.Board, compiled.Select(i => builds[i]!.Program!).ToList());
        for (var k = 0; k < compiled.Count; k++)
        {
            probabilities[compiled[k]] = p[k];
        }

        return probabilities;
    }

    /// <summary>
    /// Whether a program the gate would skip is measured anyway: a fixed function of the seed and the configuration
    /// (so a resumed run explores exactly as the uninterrupted one would), true for about
    /// <see cref="TuningOptions.GateExploration"/> of configurations.
    /// </summary>
    private bool Explore(long index)
    {
        var h = (ulong)index * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)options.Seed * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 29;
        return (h >> 11) * (1.0 / (1UL << 53)) < options.GateExploration;
    }

    private (TrialOutcome Outcome, TuningRecord Record) MeasureOne(Configuration config, CompileResult build, int trial, double buildSeconds, double? failureProbability)
    {
        var started = Stopwatch.GetTimestamp();
        Measurement measurement;
        if (build.Program is not { } program)
        {
            measurement = new Measurement { Status = MeasureStatus.CompileError, Error = build.Error!.Message };
        }
        else if (failureProbability >= gate?.Threshold && !Explore(config.Index))
        {
            measurement = new Measurement
            {
                Status = MeasureStatus.Skipped,
                Error = $"the validity gate ({gate!.Name}) predicts failure with probability {failureProbability:F3} (threshold {gate.Threshold:F3})",
            };
        }
        else
        {
            measurement = target.Measure(program, Task.Tensors, options.Measure);
        }

        var ok = measurement.Status == MeasureStatus.Ok;
        var record = new TuningRecord
        {
            Target = Task.Target,
            TaskName = Task.TaskName,
            Args = Task.Args,
            Index = config.Index,
            Entity = config.Entity(),
            Costs = ok ? measurement.Costs : [TuningRecord.FailureCost],
            ErrorNo = (int)measurement.ErrorNo,
            AllCost = buildSeconds + Stopwatch.GetElapsedTime(started).TotalSeconds,
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
            Facts = new HilTunerFacts
            {
                Status = measurement.Status.JsonName(),
                Workload = Task.Workload.Name,
                TargetKind = target.Kind,
                Board = Task.Board.Name,
                VtaConfig = Task.Board.Vta.ConfigString,
                Tuner = tuner.Name,
                Seed = options.Seed,
                Trial = trial,
                Cycles = measurement.Cycles,
                ModelSeconds = measurement.ModelSeconds,
                Error = measurement.Error,
                Attribution = measurement.Attribution?.JsonName(),
                FailureProbability = failureProbability,
                Features = build.Program?.Features.ToNamed(),
            },
        };
        return (new TrialOutcome(config, measurement.Status, record.Gflops(Task.Workload.Operations))
        {
            Features = build.Program?.Features,
            FailureProbability = failureProbability,
        }, record);
    }

    private TrialOutcome Outcome(TuningRecord record)
    {
        var status = record.Status;
        CompileFeatures? features = null;
        if (record.Facts?.Features is { } named)
        {
            try
            {
                features = CompileFeatures.FromNamed(named);
            }
            catch (KeyNotFoundException)
            {
                // A log from a compiler with other features: the outcome stands without them.
            }
        }

        return new TrialOutcome(Task.Space.Get(record.Index), status, record.Gflops(Task.Workload.Operations))
        {
            Features = features,
            FailureProbability = record.Facts?.FailureProbability,
        };
    }
}
