using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Tuning.Log;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.ValidityTraining;

/// <summary>Validity examples from tuning logs: every record of a compiled configuration that was measured on the target.</summary>
public static class ValidityData
{
    /// <summary>
    /// The examples in <paramref name="records"/> measured on <paramref name="board"/>'s VTA configuration. Records of
    /// another configuration, of configurations that did not compile or were skipped, and of workloads HilTuner
    /// cannot rebuild are left out and counted in <paramref name="leftOut"/> (reason → count).
    /// </summary>
    public static IReadOnlyList<MeasuredProgram> FromRecords(IEnumerable<TuningRecord> records, Board board, out IReadOnlyDictionary<string, int> leftOut)
    {
        var examples = new List<MeasuredProgram>();
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        var spaces = new Dictionary<Workload, ConfigSpace>();
        void Skip(string reason) => skipped[reason] = skipped.GetValueOrDefault(reason) + 1;

        foreach (var record in records)
        {
            if (record.Facts is not { } facts)
            {
                Skip("no HilTuner facts (an AutoTVM record)");
                continue;
            }

            if (facts.VtaConfig != board.Vta.ConfigString)
            {
                Skip($"measured on VTA configuration {facts.VtaConfig}");
                continue;
            }

            if (record.Unattributed)
            {
                Skip("a board failure never attributed to its configuration");
                continue;
            }

            var s = record.Status;
            if (!MeasuredProgram.Informative(s))
            {
                Skip($"status {facts.Status}");
                continue;
            }

            var workload = WorkloadRegistry.All.FirstOrDefault(w => w.Name == facts.Workload) ?? AutoTvmTask.WorkloadOf(record.TaskName, record.Args);
            if (workload is null || facts.Features is null)
            {
                Skip(workload is null ? "workload unknown" : "no compile features");
                continue;
            }

            if (!spaces.TryGetValue(workload, out var space))
            {
                spaces[workload] = space = Templates.For(workload, board.Vta);
            }

            if (record.Index < 0 || record.Index >= space.Size)
            {
                Skip("index outside the space");
                continue;
            }

            CompileFeatures features;
            try
            {
                features = CompileFeatures.FromNamed(facts.Features);
            }
            catch (KeyNotFoundException)
            {
                Skip("compile features of another compiler version");
                continue;
            }

            examples.Add(new MeasuredProgram(ProgramFeatures.Of(workload, space.Get(record.Index), board, features), s, s == MeasureStatus.Ok ? record.MeanCost : 0) { Target = facts.TargetKind });
        }

        leftOut = skipped;
        return examples;
    }
}
