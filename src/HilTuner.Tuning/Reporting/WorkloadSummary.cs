using HilTuner.Tuning.Log;

namespace HilTuner.Tuning.Reporting;

/// <summary>What a log says about one workload: trials, their statuses, the best configuration and when it was found.</summary>
public sealed record WorkloadSummary(
    string Workload,
    string TaskKey,
    int Trials,
    IReadOnlyDictionary<string, int> Statuses,
    double BestGflops,
    int BestTrial,
    TuningRecord? Best)
{
    /// <summary>The best configuration's latency in milliseconds (its mean cost: board seconds), or null without one.</summary>
    public double? BestLatencyMs => Best?.MeanCost * 1e3;

    /// <summary>
    /// A network's latency in milliseconds: the sum of each workload's best, over the workloads that have one (the
    /// others are not counted, and the caller says so).
    /// </summary>
    public static double TotalLatencyMs(IEnumerable<WorkloadSummary> summaries) => summaries.Sum(s => s.BestLatencyMs ?? 0);

    /// <summary>
    /// Summaries per task in order of first appearance. A record's workload is its HilTuner name, else the one its
    /// arguments describe; its trial number is HilTuner's, else its position among the task's records.
    /// </summary>
    public static IReadOnlyList<WorkloadSummary> Of(IEnumerable<TuningRecord> records)
    {
        var summaries = new List<WorkloadSummary>();
        foreach (var group in records.GroupBy(r => r.TaskKey))
        {
            var list = group.ToList();
            var workload = list[0].Facts?.Workload ?? AutoTvmTask.WorkloadOf(list[0].TaskName, list[0].Args)?.Name ?? list[0].TaskName;
            var operations = AutoTvmTask.WorkloadOf(list[0].TaskName, list[0].Args)?.Operations ?? 0;
            var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
            TuningRecord? best = null;
            var (bestGflops, bestTrial) = (0.0, 0);
            for (var i = 0; i < list.Count; i++)
            {
                var r = list[i];
                statuses[r.StatusName] = statuses.GetValueOrDefault(r.StatusName) + 1;
                var gflops = r.Gflops(operations);
                if (r.Succeeded && (best is null || r.MeanCost < best.MeanCost))
                {
                    (best, bestGflops, bestTrial) = (r, gflops, r.Facts?.Trial is > 0 ? r.Facts.Trial : i + 1);
                }
            }

            summaries.Add(new WorkloadSummary(workload, group.Key, list.Count, statuses, bestGflops, bestTrial, best));
        }

        return summaries;
    }
}
