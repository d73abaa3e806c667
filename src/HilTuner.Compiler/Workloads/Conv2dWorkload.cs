using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Workloads;

/// <summary>
/// A 2-D convolution in VTA's benchmark terms (batch, height, width, in_filter, out_filter, hkernel, wkernel,
/// hpad, wpad, hstride, wstride), scheduled by AutoTVM's <c>conv2d_packed.vta</c> template.
/// </summary>
public sealed record Conv2dWorkload(
    string Name,
    int Batch,
    int Height,
    int Width,
    int InFilter,
    int OutFilter,
    int KernelH,
    int KernelW,
    int PadH,
    int PadW,
    int StrideH,
    int StrideW) : Workload(Name)
{
    public override string Operator => "conv2d";

    public override string TemplateName => "conv2d_packed.vta";

    public int OutHeight => ((Height + (2 * PadH) - KernelH) / StrideH) + 1;

    public int OutWidth => ((Width + (2 * PadW) - KernelW) / StrideW) + 1;

    public override long MultiplyAccumulates => (long)Batch * OutFilter * OutHeight * OutWidth * InFilter * KernelH * KernelW;

    public override string Shape =>
        $"{Batch}×{InFilter}×{Height}×{Width} ⊛ {OutFilter}×{InFilter}×{KernelH}×{KernelW}, pad {PadH},{PadW}, stride {StrideH},{StrideW} → {Batch}×{OutFilter}×{OutHeight}×{OutWidth}";

    public override string? PackingProblem(VtaConfig config) =>
        BatchProblem(Batch, config)
        ?? BlockProblem("channels", InFilter, OutFilter, config, " (the first ResNet-18 layer, with 3 input channels, is not packed)");

    /// <summary>Throws unless every dimension is positive and the output is not empty.</summary>
    public Conv2dWorkload Validated()
    {
        RequireDimension("batch", Batch);
        RequireDimension("height", Height);
        RequireDimension("width", Width);
        RequireDimension("in_filter", InFilter);
        RequireDimension("out_filter", OutFilter);
        RequireDimension("hkernel", KernelH);
        RequireDimension("wkernel", KernelW);
        RequireDimension("hpad", PadH, 0);
        RequireDimension("wpad", PadW, 0);
        RequireDimension("hstride", StrideH);
        RequireDimension("wstride", StrideW);
        if (Height + (2 * PadH) < KernelH || Width + (2 * PadW) < KernelW)
        {
            throw new WorkloadException($"workload {Name}: the {KernelH}×{KernelW} kernel is larger than the padded {Height}×{Width} input");
        }

        if (PadH >= KernelH || PadW >= KernelW)
        {
            throw new WorkloadException($"workload {Name}: padding {PadH},{PadW} must be smaller than the kernel {KernelH}×{KernelW}");
        }

        RequireTensorSize("input", (long)Batch * InFilter * Height * Width);
        RequireTensorSize("weights", (long)OutFilter * InFilter * KernelH * KernelW);
        RequireTensorSize("output", (long)Batch * OutFilter * OutHeight * OutWidth);

        return this;
    }
}
