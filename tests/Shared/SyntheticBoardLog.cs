using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Log;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;
using HilTuner.Vta.Simulation;

namespace HilTuner.Tests.Shared;

/// <summary>
/// A board whose timing is known, and a TopHub-style log "measured" on it by the simulator: what calibration must
/// recover (half of the records as HilTuner's board logs write them). Also four records calibration must skip: another
/// VTA configuration, a failed trial, an unknown task, a record HilTuner measured on its simulator.
/// </summary>
internal static class SyntheticBoardLog
{
    /// <summary>The free parameters and their true values.</summary>
    public static IReadOnlyDictionary<string, double> Truth { get; } = new Dictionary<string, double>
    {
        ["dma_latency_cycles"] = 40,
        ["instruction_overhead_cycles"] = 10,
        ["launch_overhead_us"] = 50,
    };

    /// <summary><paramref name="basis"/> with the true values of <see cref="Truth"/>.</summary>
    public static Board TrueBoard(Board basis) =>
        basis with { Timing = Truth.Aggregate(basis.Timing, (t, kv) => TimingParameterTable.Find(kv.Key)!.With(t, kv.Value)) };

    /// <summary>Writes the log: usable records of small workloads measured on <paramref name="truth"/>, then the four bad ones.</summary>
    public static int Write(string path, Board truth)
    {
        var good = new List<TuningRecord>();
        foreach (var name in new[] { "dense.512", "dense.1024", "resnet18.C10", "resnet18.C11" })
        {
            var workload = WorkloadRegistry.Resolve(name);
            var space = Templates.For(workload, truth.Vta);
            var taken = 0;
            for (var index = 0L; index < space.Size && taken < 3; index += Math.Max(1, space.Size / 7))
            {
                var config = space.Get(index);
                if (VtaCompiler.Compile(workload, config, truth).Program is not { } program
                    || RuntimeChecks.FirstFailure(program.Image, truth.Hardware.MaxTransferBytes) is not null)
                {
                    continue;
                }

                var run = new SimulatorSession(new VtaSimulator(truth)).Run(program.Image, OperatorTensors.Random(workload, 0).Pack(truth.Vta)).Run;
                if (run.Status != RunStatus.Finished)
                {
                    continue;
                }

                var record = Record(workload, config, truth.Vta, run.BoardSeconds);

                // Every other record as HilTuner's board logs write it (its facts name the workload and the target).
                good.Add(good.Count % 2 == 0 ? record : record with { Facts = Facts(workload, truth, "board") });
                taken++;
            }
        }

        var sample = good[0];
        using var log = TuningLog.Append(path);
        foreach (var r in good)
        {
            log.Write(r);
        }

        log.Write(sample with { Target = sample.Target.Replace(truth.Vta.TargetModel, "pynq_1x32_i8w8a32_15_15_18_17", StringComparison.Ordinal) });
        log.Write(sample with { Costs = [TuningRecord.FailureCost], ErrorNo = 4 });
        log.Write(sample with { TaskName = "pool2d_packed.vta" });
        log.Write(sample with { Facts = Facts(WorkloadRegistry.Resolve("dense.512"), truth, "sim") });
        return good.Count;
    }

    private static HilTunerFacts Facts(Workload workload, Board board, string targetKind) => new()
    {
        Status = "ok",
        Workload = workload.Name,
        TargetKind = targetKind,
        Board = board.Name,
        VtaConfig = board.Vta.ConfigString,
        Tuner = "grid",
        Trial = 1,
    };

    private static TuningRecord Record(Workload workload, Configuration config, VtaConfig vta, double seconds) => new()
    {
        Target = AutoTvmTask.TargetString(vta),
        TaskName = workload is DenseWorkload ? "dense_packed.vta" : "conv2d_packed.vta",
        Args = AutoTvmTask.Args(workload, vta),
        Index = config.Index,
        Entity = config.Entity(),
        Costs = [seconds, seconds, seconds],
        ErrorNo = 0,
        AllCost = 1,
        Timestamp = 1_700_000_000,
    };
}
