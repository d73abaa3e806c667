using System.Text.Json.Nodes;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Log;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Session;

/// <summary>
/// One tuning task, AutoTVM's sense: a workload, its template's space on a board's configuration, the task's
/// name and arguments in the log, and the inputs every measurement runs on.
/// </summary>
public sealed class TuningTask
{
    public TuningTask(Workload workload, Board board, int seed)
    {
        Workload = workload;
        Board = board;
        Space = Templates.For(workload, board.Vta);
        Target = AutoTvmTask.TargetString(board.Vta);
        Args = AutoTvmTask.Args(workload, board.Vta);
        Tensors = OperatorTensors.Random(workload, seed);
    }

    public Workload Workload { get; }
    public Board Board { get; }
    public ConfigSpace Space { get; }

    /// <summary>The TVM target string of the log's records.</summary>
    public string Target { get; }

    public JsonArray Args { get; }

    public string TaskName => Workload.TemplateName;

    /// <summary>The key records of this task share (see <see cref="TuningRecord.TaskKey"/>).</summary>
    public string Key => $"{AutoTvmTask.ModelOf(Target)}|{TaskName}|{Args.ToJsonString()}";

    public OperatorTensors Tensors { get; }
}
