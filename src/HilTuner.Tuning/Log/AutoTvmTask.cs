using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Log;

/// <summary>
/// How AutoTVM names a VTA tuning task in its logs: the target string, the template's task name and its
/// arguments (packed tensor shapes, strides, padding, dilation, layout, output type).
/// </summary>
public static class AutoTvmTask
{
    /// <summary>VTA's TVM target string, e.g. <c>ext_dev -keys=vta,cpu -device=vta -model=pynq_1x16_i8w8a32_15_15_18_17</c>.</summary>
    public static string TargetString(VtaConfig config) => $"ext_dev -keys=vta,cpu -device=vta -model={config.TargetModel}";

    /// <summary>The <c>-model=</c> of a target string, or null.</summary>
    public static string? ModelOf(string target)
    {
        foreach (var part in target.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("-model=", StringComparison.Ordinal))
            {
                return part["-model=".Length..];
            }
        }

        return null;
    }

    /// <summary>The task's arguments as the VTA templates register them.</summary>
    public static JsonArray Args(Workload workload, VtaConfig c) => workload switch
    {
        Conv2dWorkload w => new JsonArray(
            Tensor("int8", w.Batch / c.Batch, w.InFilter / c.BlockIn, w.Height, w.Width, c.Batch, c.BlockIn),
            Tensor("int8", w.OutFilter / c.BlockOut, w.InFilter / c.BlockIn, w.KernelH, w.KernelW, c.BlockOut, c.BlockIn),
            new JsonArray(w.StrideH, w.StrideW),
            new JsonArray(w.PadH, w.PadW, w.PadH, w.PadW),
            new JsonArray(1, 1),
            string.Create(CultureInfo.InvariantCulture, $"NCHW{c.Batch}n{c.BlockIn}c"),
            "int32"),
        DenseWorkload d => new JsonArray(
            Tensor("int8", d.Batch / c.Batch, d.InFeatures / c.BlockIn, c.Batch, c.BlockIn),
            Tensor("int8", d.OutFeatures / c.BlockOut, d.InFeatures / c.BlockIn, c.BlockOut, c.BlockIn),
            null,
            "int32"),
        _ => throw new ArgumentException($"no AutoTVM task for {workload.Operator}"),
    };

    /// <summary>
    /// The workload a task's arguments describe (a known one when the shapes match, a custom one otherwise),
    /// or null when they are not a VTA conv2d / dense task.
    /// </summary>
    public static Workload? WorkloadOf(string taskName, JsonArray args)
    {
        try
        {
            var data = Shape(args[0]);
            var weight = Shape(args[1]);
            Workload? parsed = taskName switch
            {
                "conv2d_packed.vta" when data.Length == 6 && weight.Length == 6 => Conv2d(args, data, weight),
                "dense_packed.vta" when data.Length == 4 && weight.Length == 4 =>
                    new DenseWorkload("custom.dense", data[0] * data[2], data[1] * data[3], weight[0] * weight[2]),
                _ => null,
            };
            return parsed is null ? null : WorkloadRegistry.All.FirstOrDefault(w => w with { Name = parsed.Name } == parsed) ?? parsed;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or NullReferenceException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static Conv2dWorkload Conv2d(JsonArray args, int[] data, int[] weight)
    {
        var strides = args[2]!.AsArray();
        var padding = args[3]!.AsArray();
        return new Conv2dWorkload("custom.conv2d", data[0] * data[4], data[2], data[3], data[1] * data[5], weight[0] * weight[4],
            weight[2], weight[3], padding[0]!.GetValue<int>(), padding[1]!.GetValue<int>(), strides[0]!.GetValue<int>(), strides[1]!.GetValue<int>());
    }

    private static int[] Shape(JsonNode? tensor)
    {
        var t = tensor!.AsArray();
        if (t[0]!.GetValue<string>() != "TENSOR")
        {
            throw new FormatException("not a tensor argument");
        }

        return t[1]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
    }

    private static JsonArray Tensor(string dtype, params int[] shape) =>
        new("TENSOR", new JsonArray(shape.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()), dtype);
}
