using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// A search strategy over one task's space, as AutoTVM's tuners are: it proposes configurations it has not
/// proposed before, and learns from the outcomes it is told about.
/// </summary>
public interface ITuner
{
    /// <summary>The tuner's name, as <c>--tuner</c> takes it and logs record it.</summary>
    string Name { get; }

    /// <summary>False once every configuration has been proposed (or, for a tuner that screens, none is left worth measuring).</summary>
    bool HasNext { get; }

    /// <summary>
    /// Up to <paramref name="count"/> configurations never proposed before (they count as visited from here on). A
    /// tuner that screens candidates (compile errors, predicted failures) may find nothing left worth measuring and
    /// return none; the session then ends the task.
    /// </summary>
    IReadOnlyList<Configuration> NextBatch(int count);

    /// <summary>
    /// Outcomes of measured configurations, in the order they were proposed. Also used to rebuild a tuner from
    /// a log: configurations it never proposed become visited.
    /// </summary>
    void Update(IReadOnlyList<TrialOutcome> outcomes);

    /// <summary>
    /// Measurements of other tasks (or earlier runs) on the same board, as knob features and GFLOPS, one list per
    /// task (AutoTVM's <c>load_history</c>): a tuner whose model learns from them may plan its first batch from
    /// them; the others ignore them (their descriptor says whether they take transfer).
    /// </summary>
    void Transfer(IEnumerable<IReadOnlyList<(float[] Features, double Gflops)>> tasks);

    /// <summary>
    /// Measurements of other tasks on the same board with their workloads and configurations (AutoTVM's
    /// <c>load_history</c> over the log of the tasks tuned before), so that a tuner may compute any features of them;
    /// failures count 0 GFLOPS. Tuners that take transfer learn from these; the others ignore them.
    /// </summary>
    void Transfer(IReadOnlyList<TransferTask> tasks);
}

/// <summary>One other task's records for transfer learning: its workload, and each measured configuration (of its own space) with its GFLOPS.</summary>
public sealed record TransferTask(Workload Workload, IReadOnlyList<(Configuration Configuration, double Gflops)> Records);
