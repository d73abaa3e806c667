using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Vta.Config;
using HilTuner.Tests.Shared;

namespace HilTuner.Edge.Tests;

/// <summary>
/// A real validity model, trained once per test run: every configuration of <c>resnet18.C11</c> and
/// <c>resnet18.C9</c> measured on the simulator of the default board, the ones that compiled and ran (or failed on
/// the target) turned into rows, FastTree + Platt trained on them, and the result written as ONNX.
/// </summary>
internal sealed class EdgeModel
{
    public static readonly string[] TrainedOn = ["resnet18.C11", "resnet18.C9"];

    private static readonly Lazy<EdgeModel> s_instance = new(() => new EdgeModel(), LazyThreadSafetyMode.ExecutionAndPublication);

    private EdgeModel()
    {
        var board = Repository.UncalibratedBoard;
        var examples = new List<MeasuredProgram>();
        foreach (var name in TrainedOn)
        {
            var workload = WorkloadRegistry.Resolve(name);
            var truth = GroundTruthTable.Measure(workload, board);
            var space = Templates.For(workload, board.Vta);
            for (var i = 0L; i < space.Size; i++)
            {
                var entry = truth[i];
                if (!MeasuredProgram.Informative(entry.Status))
                {
                    continue;
                }

                var program = VtaCompiler.Compile(workload, space.Get(i), board).Program
                    ?? throw new InvalidOperationException($"{name} configuration {i} was measured ({entry.Status}) but does not compile");
                examples.Add(new MeasuredProgram(ProgramFeatures.Of(program, board), entry.Status, entry.Seconds));
            }
        }

        Examples = examples;
        Trained = ValidityTrainer.Train(examples, board);
        Directory = System.IO.Directory.CreateTempSubdirectory("hiltuner-edge-tests-").FullName;
        Path = System.IO.Path.Combine(Directory, "validity.onnx");
        Trained.Save(Path);
    }

    public static EdgeModel Instance => s_instance.Value;

    /// <summary>Whether the model was trained in this run (so that the class clean-up does not train one to delete it).</summary>
    public static bool Created => s_instance.IsValueCreated;

    public IReadOnlyList<MeasuredProgram> Examples { get; }

    public TrainedValidityModel Trained { get; }

    /// <summary>The temporary directory holding the model (and what the tests write beside it).</summary>
    public string Directory { get; }

    /// <summary>The ONNX file.</summary>
    public string Path { get; }

    public int Failures => Examples.Count(e => e.Failed);

    public string File(string name) => System.IO.Path.Combine(Directory, name);
}
