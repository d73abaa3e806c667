using System.Text;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// Why a run hung: what each module is stuck on, and how full every queue is, at the cycle no module could
/// make progress any more.
/// </summary>
public sealed record HangReport(
    long Cycle,
    string Cause,
    IReadOnlyDictionary<VtaModule, string> Modules,
    IReadOnlyDictionary<DependencyQueueId, int> DependencyQueues,
    int DependencyQueueCapacity,
    IReadOnlyDictionary<VtaModule, int> CommandQueues,
    int CommandQueueCapacity,
    long DroppedTokens)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("hang at cycle ").Append(Cycle).Append(": ").AppendLine(Cause);
        foreach (var (_, state) in Modules)
        {
            text.Append("  ").AppendLine(state);
        }

        text.Append("  dependency queues: ")
            .AppendJoin(", ", DependencyQueues.Select(q => $"{q.Key.ShortName()} {q.Value}/{DependencyQueueCapacity}"))
            .AppendLine();
        text.Append("  command queues: ")
            .AppendJoin(", ", CommandQueues.Select(q => $"{q.Key.ToString().ToLowerInvariant()} {q.Value}/{CommandQueueCapacity}"));
        if (DroppedTokens > 0)
        {
            text.AppendLine().Append("  tokens lost to full dependency queues: ").Append(DroppedTokens);
        }

        return text.ToString();
    }
}
