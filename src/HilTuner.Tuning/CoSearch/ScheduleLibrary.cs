using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Session;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.CoSearch;

/// <summary>What the library knows of one block (one layer shape on one VTA configuration).</summary>
/// <param name="BestSeconds">The fastest correct measurement; null when no configuration ran correctly within the budget.</param>
/// <param name="DefaultSeconds">The default schedule's time (see <see cref="ScheduleLibrary"/>); null when none ran.</param>
/// <param name="DefaultIndex">The configuration taken as the default: 0 (AutoTVM's fallback) unless it failed.</param>
public sealed record BlockTimes(double? BestSeconds, double? DefaultSeconds, long? DefaultIndex);

/// <summary>
/// The schedule library of block pre-scheduling: every block (a distinct layer shape on a VTA configuration) is
/// tuned once, when a candidate first needs it, into one AutoTVM log (<c>DIR/schedules.log</c>, the records
/// <c>hiltuner tune</c> writes, readable by TVM's <c>apply_history_best</c>). A block is first measured under its
/// default schedule — AutoTVM's fallback configuration, which takes every knob's first entity (every split
/// <c>[-1, 1]</c>, one thread), i.e. configuration 0 — and, when that fails on the target, the next configurations in
/// index order (the grid tuner's) up to the first that runs correctly, at most <see cref="MaxDefaultProbes"/>; then the
/// validity-first tuner (<c>hiltuner</c>) gets <c>budget</c> measurements of its own, the default probes handed to it
/// as its first trials. The log's records are used as they stand: nothing is measured twice, and a run stopped at
/// any point resumes from the log.
/// </summary>
public sealed class ScheduleLibrary : IDisposable
{
    /// <summary>The most configurations measured, in index order, to find a default schedule that runs.</summary>
    public const int MaxDefaultProbes = 16;

    private const string DefaultTuner = "grid";
    private const string Tuner = "hiltuner";

    private readonly List<TuningRecord> _records;
    private readonly TuningLog _log;
    private readonly Func<Board, ITarget> _targetOf;
    private readonly Dictionary<string, BlockTimes> _known = new(StringComparer.Ordinal);

    /// <param name="logPath">The library's log; its records (if it exists) are read first.</param>
    /// <param name="budget">The validity-first tuner's measurements per block, beyond the default probes.</param>
    /// <param name="targetOf">Where a board's blocks are measured.</param>
    public ScheduleLibrary(string logPath, int budget, int seed, Func<Board, ITarget> targetOf)
    {
        Path = logPath;
        Budget = budget;
        Seed = seed;
        _targetOf = targetOf;
        _records = File.Exists(logPath) ? [.. TuningLog.Read(logPath, out _)] : [];
        _log = TuningLog.Append(logPath);
    }

    public string Path { get; }
    public int Budget { get; }
    public int Seed { get; }

    /// <summary>Measurements taken by this run (the log's earlier records not counted).</summary>
    public int Measured { get; private set; }

    /// <summary>Blocks looked up so far.</summary>
    public int Blocks => _known.Count;

    /// <summary>One-line notes (a block tuned, a default that failed).</summary>
    public Action<string>? Note { get; init; }

    /// <summary>Every trial of the tuning, for a progress display.</summary>
    public Action<TaskProgress>? Progress { get; init; }

    /// <summary>The block's times, tuning it first when the library does not hold it yet.</summary>
    public BlockTimes Ensure(Board board, Workload workload)
    {
        var task = new TuningTask(workload, board, Seed);
        if (_known.TryGetValue(task.Key, out var known))
        {
            return known;
        }

        var target = _targetOf(board);
        var foreign = Mine(task).FirstOrDefault(r => r.Facts is { } f && (f.Board != board.Name || f.TargetKind != target.Kind));
        if (foreign?.Facts is { } facts)
        {
            throw new TuningLogException(Path, 0, $"its records of {workload.Name} were measured on {facts.TargetKind} ({facts.Board}); this run measures on {target.Kind} ({board.Name}): use another --out directory");
        }

        var before = Measured;
        if (Default(Mine(task)) is null)
        {
            using var cancel = new CancellationTokenSource();
            Run(board, target, workload, DefaultTuner, MaxDefaultProbes, 1, new StopAtSuccess(cancel), cancel.Token);
        }

        var probes = Mine(task).Count(r => r.Facts?.Tuner == DefaultTuner);
        Run(board, target, workload, Tuner, probes + Budget, 8, null, default);
        var mine = Mine(task);
        var best = mine.Where(r => r.Succeeded).Select(r => r.MeanCost).DefaultIfEmpty(double.NaN).Min();
        var defaultRecord = Default(mine);
        var times = new BlockTimes(double.IsNaN(best) ? null : best, defaultRecord is { Succeeded: true } d ? d.MeanCost : null, defaultRecord is { Succeeded: true } ? defaultRecord.Index : null);
        if (defaultRecord is not { Index: 0, Succeeded: true })
        {
            Note?.Invoke(defaultRecord is { Succeeded: true }
                ? $"{workload.Name} on {board.Vta.ConfigString}: AutoTVM's fallback configuration failed ({mine.First(r => r.Index == 0).StatusName}); the default schedule is configuration {defaultRecord.Index}, the first in index order that runs"
                : $"{workload.Name} on {board.Vta.ConfigString}: none of the first {MaxDefaultProbes} configurations in index order runs: no default schedule");
        }

        if (Measured > before)
        {
            Note?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{workload.Name} on {board.Vta.ConfigString}: tuned with {Measured - before} measurements: best {times.BestSeconds * 1e3:0.###} ms, default {times.DefaultSeconds * 1e3:0.###} ms ({_known.Count + 1} blocks)"));
        }

        _known[task.Key] = times;
        return times;
    }

    /// <summary>
    /// The default-schedule record once the probes have decided it: configuration 0 when it ran, else the first in index
    /// order that ran after an unbroken run of failures; a failed record when the first <see cref="MaxDefaultProbes"/>
    /// all failed; null while undecided (nothing measured yet, or a probe run stopped half-way).
    /// </summary>
    private static TuningRecord? Default(IReadOnlyList<TuningRecord> mine)
    {
        var byIndex = mine.GroupBy(r => r.Index).ToDictionary(g => g.Key, g => g.First());
        for (long i = 0; i < MaxDefaultProbes; i++)
        {
            if (!byIndex.TryGetValue(i, out var r))
            {
                return null;
            }

            if (r.Succeeded)
            {
                return r;
            }
        }

        return byIndex[MaxDefaultProbes - 1];
    }

    private List<TuningRecord> Mine(TuningTask task) => [.. _records.Where(r => r.TaskKey == task.Key)];

    private void Run(Board board, ITarget target, Workload workload, string tuner, int trials, int batch, ITrialObserver? extra, CancellationToken cancel)
    {
        var collector = new Collector(this);
        var run = new TuningRun
        {
            Board = board,
            Target = target,
            Tuner = tuner,
            Options = new TuningOptions { Trials = trials, Seed = Seed, BatchSize = batch },
            Previous = [.. _records],
            LogPath = Path,
        };
        ITrialObserver[] observers = extra is null ? [_log, collector] : [_log, collector, extra];
        run.Tune(workload, observers, cancel);
    }

    public void Dispose() => _log.Dispose();

    /// <summary>Keeps the library's records current and reports progress.</summary>
    private sealed class Collector(ScheduleLibrary library) : ITrialObserver
    {
        public void OnTrial(TuningRecord? record, TaskProgress progress)
        {
            if (record is not null)
            {
                library._records.Add(record);
                library.Measured++;
            }

            library.Progress?.Invoke(progress);
        }
    }

    /// <summary>Stops the default probes at the first configuration that runs correctly.</summary>
    private sealed class StopAtSuccess(CancellationTokenSource cancel) : ITrialObserver
    {
        public void OnTrial(TuningRecord? record, TaskProgress progress)
        {
            if (record is { Succeeded: true })
            {
                cancel.Cancel();
            }
        }
    }
}
