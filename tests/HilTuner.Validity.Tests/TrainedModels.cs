using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Vta.Config;
using HilTuner.Tests.Shared;

namespace HilTuner.Validity.Tests;

/// <summary>
/// A validity model trained, once per test run, on every compiled configuration of ResNet-18's C9 and C11 measured
/// on the simulator, and C10's compiled configurations as held-out rows.
/// </summary>
internal static class TrainedModels
{
    private static readonly Lazy<(TrainedValidityModel Model, string Path, float[][] HeldOut)> Fixture = new(Train);

    public static TrainedValidityModel Model => Fixture.Value.Model;

    /// <summary>The model's ONNX file (its ML.NET form beside it).</summary>
    public static string Path => Fixture.Value.Path;

    /// <summary>Rows of C10, which the model never saw.</summary>
    public static float[][] HeldOut => Fixture.Value.HeldOut;

    /// <summary>
    /// The board the training programs are measured on: the default board with an accumulator pipeline deeper than the
    /// runtime's guard, so that wrong answers are among the failures (on the default board no configuration is one).
    /// The same VTA configuration as the default board, so the model serves both.
    /// </summary>
    public static Board Measuring { get; } = Board.Load(HilTuner.Tests.Shared.Repository.DeepPipelineBoardFile);

    public static IReadOnlyList<MeasuredProgram> Measured(string workload)
    {
        var w = WorkloadRegistry.Resolve(workload);
        var truth = GroundTruthTable.Measure(w, Measuring);
        var space = Templates.For(w, Measuring.Vta);
        var programs = new List<MeasuredProgram>();
        for (var i = 0; i < truth.Entries.Count; i++)
        {
            if (truth[i].Status != MeasureStatus.CompileError)
            {
                var program = VtaCompiler.Compile(w, space.Get(i), Measuring).Program!;
                programs.Add(new MeasuredProgram(ProgramFeatures.Of(program, Measuring), truth[i].Status, truth[i].Seconds));
            }
        }

        return programs;
    }

    public static string NewPath(string name) => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"), name);

    private static (TrainedValidityModel, string, float[][]) Train()
    {
        var model = ValidityTrainer.Train([.. Measured("resnet18.C9"), .. Measured("resnet18.C11")], Measuring);
        var path = NewPath("validity.onnx");
        model.Save(path);
        var heldOut = Measured("resnet18.C10").Select(p => p.Features).ToArray();
        return (model, path, heldOut);
    }
}
