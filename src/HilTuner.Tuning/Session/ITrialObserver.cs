using HilTuner.Tuning.Log;

namespace HilTuner.Tuning.Session;

/// <summary>
/// Told of every trial as soon as it is decided, as AutoTVM's <c>tune(callbacks=…)</c> are: the log that records it,
/// the progress display, a plot. The session itself writes nothing.
/// </summary>
public interface ITrialObserver
{
    /// <summary>
    /// A trial was decided: <paramref name="record"/> is what was measured (or screened, or failed to compile) now,
    /// null for a trial answered from the log of a resumed run; <paramref name="progress"/> is the task after it.
    /// </summary>
    void OnTrial(TuningRecord? record, TaskProgress progress);

    /// <summary>The task ended (<paramref name="progress"/> is finished and says why).</summary>
    void OnTaskEnd(TaskProgress progress)
    {
    }
}

/// <summary>A progress callback as an observer (e.g. a display that redraws on every trial).</summary>
public sealed class ProgressObserver(Action<TaskProgress> report) : ITrialObserver
{
    public void OnTrial(TuningRecord? record, TaskProgress progress) => report(progress);

    public void OnTaskEnd(TaskProgress progress) => report(progress);
}

/// <summary>Keeps the records of the trials measured, in order (a benchmark's run, without a file).</summary>
public sealed class RecordCollector : ITrialObserver
{
    private readonly List<TuningRecord> _records = [];

    public IReadOnlyList<TuningRecord> Records => _records;

    public void OnTrial(TuningRecord? record, TaskProgress progress)
    {
        if (record is not null)
        {
            _records.Add(record);
        }
    }
}
