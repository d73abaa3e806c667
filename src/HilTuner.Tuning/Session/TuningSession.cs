using System.Diagnostics;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Hardware;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Tuners;

namespace HilTuner.Tuning.Session;

/// <summary>
/// Tunes one task the way AutoTVM's <c>tuner.tune</c> does: ask the tuner for a batch, build it (in parallel),
/// run it on the target (one at a time), log each trial as soon as it is measured, and tell the tuner.
/// </summary>
/// <remarks>
/// Resuming: records of this task already in the log are not measured again. The tuner is driven exactly as
/// in an uninterrupted run, and a configuration it proposes that the log already holds is answered from the
/// log, so a resumed run with the same seed makes the same decisions and measures only what is missing. Should
/// the tuner ever propose something the log does not hold while logged records are still unused (a different
/// tuner or seed), the remaining records are handed to it at once and count as trials.
/// </remarks>
public sealed class TuningSession(TuningTask task, ITuner tuner, ITarget target, TuningLog log, TuningOptions options)
{
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

        void Count(TrialOutcome outcome, string status)
        {
            trials++;
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
                var rest = pending.Values.OrderBy(r => r.Facts?.Trial ?? int.MaxValue).ToList();
                pending.Clear();
                var outcomes = rest.Select(Outcome).ToList();
                tuner.Update(outcomes);
                for (var i = 0; i < rest.Count; i++)
                {
                    Count(outcomes[i], rest[i].Status);
                }
            }

            var builds = new CompileResult?[batch.Count];
            var buildSeconds = new double[batch.Count];
            Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.BuildThreads) }, i =>
            {
                if (fromLog[i] is null)
                {
                    var started = Stopwatch.GetTimestamp();
                    builds[i] = VtaCompiler.Compile(Task.Workload, batch[i], Task.Board);
                    buildSeconds[i] = Stopwatch.GetElapsedTime(started).TotalSeconds;
                }
            });

            var batchOutcomes = new List<TrialOutcome>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                if (fromLog[i] is { } record)
                {
                    var outcome = Outcome(record);
                    batchOutcomes.Add(outcome);
                    Count(outcome, record.Status);
                }
                else
                {
                    var (measured, status) = MeasureOne(batch[i], builds[i]!, trials + 1, buildSeconds[i]);
                    batchOutcomes.Add(measured);
                    Count(measured, status);
                }

                progress?.Invoke(Snapshot(false));
            }

            tuner.Update(batchOutcomes);
        }

        var done = Snapshot(true);
        progress?.Invoke(done);
        return done;
    }

    private (TrialOutcome Outcome, string Status) MeasureOne(Configuration config, CompileResult build, int trial, double buildSeconds)
    {
        var started = Stopwatch.GetTimestamp();
        Measurement measurement;
        if (build.Program is { } program)
        {
            measurement = target.Measure(program, Task.Tensors, options.Measure);
        }
        else
        {
            measurement = new Measurement { Status = MeasureStatus.CompileError, Error = build.Error!.Message };
        }

        var ok = measurement.Status == MeasureStatus.Ok;
        var costs = ok ? measurement.Costs : [TuningRecord.FailureCost];
        var record = new TuningRecord
        {
            Target = Task.Target,
            TaskName = Task.TaskName,
            Args = Task.Args,
            Index = config.Index,
            Entity = config.Entity(),
            Costs = costs,
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
                Features = build.Program is { } p
                    ? CompileFeatures.Definitions.Select((d, i) => KeyValuePair.Create(d.Name, p.Features.Values[i])).ToDictionary()
                    : null,
            },
        };
        log.Write(record);
        return (new TrialOutcome(config, ok, record.Gflops(Task.Workload.Operations)), measurement.Status.JsonName());
    }

    private TrialOutcome Outcome(TuningRecord record) =>
        new(Task.Space.Get(record.Index), record.Succeeded, record.Gflops(Task.Workload.Operations));
}
