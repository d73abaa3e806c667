using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Space;

/// <summary>The knobs of VTA's AutoTVM templates, defined in the templates' order.</summary>
public static class Templates
{
    /// <summary>
    /// <c>conv2d_packed.vta</c>: splits of the batch, output rows, output columns, input-channel blocks and
    /// output-channel blocks, then the two virtual-thread knobs.
    /// </summary>
    public static ConfigSpace Conv2d(Conv2dWorkload w, VtaConfig config) => new(w.TemplateName,
    [
        new SplitKnob("tile_b", w.Batch / config.Batch),
        new SplitKnob("tile_h", w.OutHeight),
        new SplitKnob("tile_w", w.OutWidth),
        new SplitKnob("tile_ci", w.InFilter / config.BlockIn),
        new SplitKnob("tile_co", w.OutFilter / config.BlockOut),
        new OtherKnob("oc_nthread", 1, 2),
        new OtherKnob("h_nthread", 1, 2),
    ]);

    /// <summary><c>dense_packed.vta</c>: splits of the batch, input blocks and output blocks, and output-channel threads.</summary>
    public static ConfigSpace Dense(DenseWorkload w, VtaConfig config) => new(w.TemplateName,
    [
        new SplitKnob("tile_b", w.Batch / config.Batch),
        new SplitKnob("tile_ci", w.InFeatures / config.BlockIn),
        new SplitKnob("tile_co", w.OutFeatures / config.BlockOut),
        new OtherKnob("oc_nthread", 1, 2),
    ]);

    /// <summary>The space of <paramref name="workload"/> on <paramref name="config"/>.</summary>
    public static ConfigSpace For(Workload workload, VtaConfig config)
    {
        workload.RequirePackable(config);
        return workload switch
        {
            Conv2dWorkload c => Conv2d(c, config),
            DenseWorkload d => Dense(d, config),
            _ => throw new ArgumentException($"no template for {workload.Operator}"),
        };
    }
}
