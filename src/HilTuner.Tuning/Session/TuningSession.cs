using System.Diagnostics;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
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
    TuningTask task, ITuner tuner, ITarget target, TuningLog log, TuningOptions options,
    IBuilder? builder = null, IValidityGate? gate = null)
{
    private readonly IBuilder _builder = builder ?? LocalBuilder.Instance;

    public TuningTask Task { get; } = task;

    /// <summary>Runs the task; <paramref name="logged"/> are this task's records already in the log.</summary>
    public TaskProgress Run(IReadOnlyList<TuningRecord> logged, Action<TaskProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var budget = (int)Math.Min(options.Trials, Task.Space.Size);
        var pending = new Dictionary<long, TuningRecord>();
        foreach (var record in logged)
        {
            pending.TryAdd(record.Index, record);
        }

        var resumed = pending.Count;
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var curve = new List<double>();
        var (trials, best, bestTrial, current) = (0, 0.0, 0, 0.0);

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
        };

        while (trials < budget && tuner.HasNext && !cancel.IsCancellationRequested)
        {
            if (options.EarlyStopping is { } patience && bestTrial > 0 && trials - bestTrial >= patience)
            {
                break;
            }

            var batch = tuner.NextBatch(Math.Min(options.BatchSize, budget - trials));
            if (batch.Count == 0)
            {
                break;
            }

            // Answer from the log what it already holds; build the rest in parallel.
            var fromLog = batch.Select(c => pending.Remove(c.Index, out var r) ? r : null).ToArray();
            if (fromLog.Any(r => r is null) && pending.Count > 0)
            {
                var rest = pending.Values.OrderBy(r => r.Facts?.Trial ?? int.MaxValue).Select(Outcome).ToList();
                pending.Clear();
                tuner.Update(rest);
                rest.ForEach(Count);

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
                var outcome = fromLog[i] is { } record
                    ? Outcome(record)
                    : MeasureOne(batch[i], builds[i]!, trials + 1, buildSeconds[i], failureProbabilities[i]);
                batchOutcomes.Add(outcome);
                Count(outcome);
                progress?.Invoke(Snapshot(false));
            }

            tuner.Update(batchOutcomes);
        }

        var done = Snapshot(true);
        progress?.Invoke(done);
        return done;
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

    private TrialOutcome MeasureOne(Configuration config, CompileResult build, int trial, double buildSeconds, double? failureProbability)
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
                Trial = trial,
                Cycles = measurement.Cycles,
                Error = measurement.Error,
                FailureProbability = failureProbability,
                Features = build.Program?.Features.ToNamed(),
            },
        };
        log.Write(record);
        return new TrialOutcome(config, measurement.Status, record.Gflops(Task.Workload.Operations))
        {
            Features = build.Program?.Features,
            FailureProbability = failureProbability,
        };
    }

    private TrialOutcome Outcome(TuningRecord record)
    {
        var status = record.Facts?.Status is { } name && MeasureStatusNames.Parse(name) is { } parsed
            ? parsed
            : MeasureStatusNames.FromErrorNo(record.ErrorNo);
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
