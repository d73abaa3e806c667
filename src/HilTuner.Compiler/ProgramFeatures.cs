using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Compiler;

/// <summary>
/// What the models see of a compiled program, one row per configuration: the operator's shape, the knob values,
/// the board's VTA configuration and build limits, and the compile features. Names and order are stable: a model
/// file stores them and refuses rows laid out otherwise.
/// </summary>
public static class ProgramFeatures
{
    private static readonly string[] ShapeNames =
        ["batch", "in_channels", "height", "width", "out_channels", "kernel_h", "kernel_w", "pad_h", "pad_w", "stride_h", "stride_w", "out_height", "out_width"];

    private static readonly string[] KnobNames = ["tile_b", "tile_h", "tile_w", "tile_ci", "tile_co", "oc_nthread", "h_nthread"];

    private static readonly string[] BoardNames =
    [
        "log_batch", "log_block", "log_uop_buff_size", "log_inp_buff_size", "log_wgt_buff_size", "log_acc_buff_size",
        "uop_buffer_depth", "dependency_queue_depth", "command_queue_depth", "acc_hazard_window", "max_transfer_bytes",
    ];

    /// <summary>Every input's name, in row order: shape, knobs (<c>knob.</c>), board (<c>board.</c>), compile features (<c>compile.</c>).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        .. ShapeNames.Select(n => "shape." + n),
        .. KnobNames.Select(n => "knob." + n),
        .. BoardNames.Select(n => "board." + n),
        .. CompileFeatures.Definitions.Select(d => "compile." + d.Name),
    ];

    public static int Count => Names.Count;

    /// <summary>Fills <paramref name="row"/> (of <see cref="Count"/> values) for a compiled program on a board.</summary>
    public static void Write(Span<float> row, Workload workload, Configuration configuration, Board board, CompileFeatures features)
    {
        if (row.Length != Count)
        {
            throw new ArgumentException($"a program row has {Count} values, not {row.Length}", nameof(row));
        }

        var at = 0;
        foreach (var value in Shape(workload))
        {
            row[at++] = value;
        }

        foreach (var name in KnobNames)
        {
            row[at++] = KnobValue(configuration, name);
        }

        var c = board.Vta;
        var h = board.Hardware;
        foreach (var value in new double[]
        {
            c.LogBatch, c.LogBlock, c.LogUopBuffSize, c.LogInpBuffSize, c.LogWgtBuffSize, c.LogAccBuffSize,
            h.UopBufferDepth, h.DependencyQueueDepth, h.CommandQueueDepth, h.AccHazardWindow, h.MaxTransferBytes,
        })
        {
            row[at++] = (float)value;
        }

        foreach (var value in features.Values)
        {
            row[at++] = (float)value;
        }
    }

    public static float[] Of(Workload workload, Configuration configuration, Board board, CompileFeatures features)
    {
        var row = new float[Count];
        Write(row, workload, configuration, board, features);
        return row;
    }

    /// <summary>The program's row (its workload and configuration are the program's own).</summary>
    public static float[] Of(VtaProgram program, Board board) => Of(program.Workload, program.Configuration, board, program.Features);

    private static float[] Shape(Workload workload) => workload switch
    {
        Conv2dWorkload w => [w.Batch, w.InFilter, w.Height, w.Width, w.OutFilter, w.KernelH, w.KernelW, w.PadH, w.PadW, w.StrideH, w.StrideW, w.OutHeight, w.OutWidth],
        DenseWorkload d => [d.Batch, d.InFeatures, 1, 1, d.OutFeatures, 1, 1, 0, 0, 1, 1, 1, 1],
        _ => throw new ArgumentException($"no program features for {workload.Operator}"),
    };

    /// <summary>The knob's value (a split's inner factor); 1 for a knob the template does not have.</summary>
    private static float KnobValue(Configuration configuration, string name)
    {
        var knobs = configuration.Space.Knobs;
        for (var i = 0; i < knobs.Count; i++)
        {
            if (knobs[i].Name == name)
            {
                return knobs[i].Value(configuration.Choices[i]);
            }
        }

        return 1;
    }
}
