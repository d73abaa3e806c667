using System.Globalization;
using HilTuner.Compiler;
using HilTuner.Onnx;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Validity;
using HilTuner.Validity.Performance;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Performance;

/// <summary>A performance network's name, inputs (<see cref="ProgramFeatures"/> names) and hidden units.</summary>
public sealed record NetworkShape(string Name, IReadOnlyList<string> Inputs, int Hidden)
{
    public int Parameters => MlpRegressor.ParameterCount(Inputs.Count, Hidden);

    /// <summary>The inputs of one <see cref="ProgramFeatures"/> row.</summary>
    public float[] Select(ReadOnlySpan<float> programRow)
    {
        var columns = PerformanceModelFormat.Columns(Inputs) ?? throw new InvalidOperationException($"{Name}: an input is not a program feature");
        var row = new float[columns.Length];
        PerformanceModelFormat.Select(programRow, columns, row);
        return row;
    }
}

/// <summary>
/// The performance networks HilTuner trains. LANN's inputs are complexity terms the compiler and the timing model
/// compute for the program on the nominal board: the call's cycles along the modules' critical path with the host's
/// side, that critical path alone, each module's busy cycles, instructions, GEMM and ALU micro-op iterations, and the
/// DMA rows of each module and their AXI bursts (what a board's per-row latency and per-burst round trip multiply).
/// The plain network (ffnn) gets the layer's shape and every knob instead — what the paper's "traditional
/// feed-forward network" sees — with at least LANN's budget; ffnn-large has three times its hidden units, as the
/// paper's larger network (15 units). Every input is a count, a size or a tile factor that spans decades across
/// ResNet-18's layers and acts multiplicatively on time, hence ln(1 + x) before standardising (the paper
/// standardises its raw inputs; its inputs vary over one kernel family, ours over ten layers).
/// </summary>
public static class PerformanceNetworks
{
    public static NetworkShape Lann { get; } = new("lann",
    [
        "compile.est_call_cycles", "compile.est_cycles_critical", "compile.est_cycles_load", "compile.est_cycles_compute",
        "compile.est_cycles_store", "compile.insn_total", "compile.gemm_uop_iterations", "compile.alu_uop_iterations", "compile.dma_rows_load",
        "compile.dma_rows_compute", "compile.dma_rows_store", "compile.dma_bursts",
    ], 5);

    private static readonly string[] PlainInputs =
    [
        "shape.in_channels", "shape.height", "shape.out_channels", "shape.kernel_h", "shape.stride_h",
        "knob.tile_b", "knob.tile_h", "knob.tile_w", "knob.tile_ci", "knob.tile_co", "knob.oc_nthread", "knob.h_nthread",
    ];

    public static NetworkShape Ffnn { get; } = new("ffnn", PlainInputs, 5);

    public static NetworkShape FfnnLarge { get; } = new("ffnn-large", PlainInputs, 15);

    /// <summary>
    /// Trains <paramref name="shape"/> on measured programs (<see cref="MeasuredProgram.Features"/> rows, seconds) for
    /// <paramref name="board"/>; the file's metadata names the board, its VTA configuration and the training set.
    /// </summary>
    public static MlpRegressor Train(NetworkShape shape, IReadOnlyList<MeasuredProgram> measured, Board board, NetworkTrainingOptions? options = null)
    {
        if (measured.Count < 2)
        {
            throw new PerformanceModelException($"a performance model needs at least 2 measured configurations, not {measured.Count}");
        }

        var metadata = new Dictionary<string, string>
        {
            [ValidityModelFormat.KindKey] = PerformanceModelFormat.Kind,
            [PerformanceModelFormat.PredictorKey] = shape.Name,
            [ValidityModelFormat.VtaConfigKey] = board.Vta.ConfigString,
            [ValidityModelFormat.BoardKey] = board.Name,
            [PerformanceModelFormat.TrainingRowsKey] = measured.Count.ToString(CultureInfo.InvariantCulture),
            [PerformanceModelFormat.TrainingTargetsKey] = string.Join(",", measured.Select(m => m.Target ?? "unknown").Distinct().Order(StringComparer.Ordinal)),
            [PerformanceModelFormat.ScalingKey] = PerformanceModelFormat.Scaling,
            [PerformanceModelFormat.TargetKey] = PerformanceModelFormat.Target,
            [PerformanceModelFormat.ParametersKey] = shape.Parameters.ToString(CultureInfo.InvariantCulture),
        };
        return NetworkTrainer.Train(shape.Inputs, [.. measured.Select(m => shape.Select(m.Features))], [.. measured.Select(m => m.Seconds)], shape.Hidden, options, metadata);
    }

    /// <summary>The records' programs that ran to the end with a time (the performance model's training rows).</summary>
    public static IReadOnlyList<MeasuredProgram> Timed(IEnumerable<MeasuredProgram> measured) =>
        [.. measured.Where(m => m.Status == Compiler.Statuses.MeasureStatus.Ok && m.Seconds is > 0 and < Log.TuningRecord.FailureCost)];
}
