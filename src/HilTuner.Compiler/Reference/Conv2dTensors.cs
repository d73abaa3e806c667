using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler.Reference;

/// <summary>Conv2d tensors: data NCHW, weight OIHW, bias per output channel; output NCHW.</summary>
public sealed class Conv2dTensors : OperatorTensors
{
    public required Conv2dWorkload Workload { get; init; }

    public static Conv2dTensors Random(Conv2dWorkload w, int seed)
    {
        var (data, weight, bias) = Draw(seed, w.Batch * w.InFilter * w.Height * w.Width, w.OutFilter * w.InFilter * w.KernelH * w.KernelW, w.OutFilter);
        return new Conv2dTensors { Workload = w, Data = data, Weight = weight, Bias = bias };
    }

    /// <summary>
    /// Data as NCHW{BATCH}n{BLOCK}c, weights as OIHW{BLOCK}o{BLOCK}i, bias as (N/BATCH, O/BLOCK, BATCH, BLOCK)
    /// int32 little-endian.
    /// </summary>
    protected override IReadOnlyDictionary<SegmentKind, byte[]> PackFor(VtaConfig c)
    {
        var w = Workload;
        int bt = c.Batch, bl = c.BlockIn, groups = w.Batch / bt, ci16 = w.InFilter / bl, co16 = w.OutFilter / c.BlockOut;
        var data = new sbyte[Data.Length];
        for (var n = 0; n < w.Batch; n++)
        {
            for (var ch = 0; ch < w.InFilter; ch++)
            {
                for (var h = 0; h < w.Height; h++)
                {
                    for (var x = 0; x < w.Width; x++)
                    {
                        var element = ((((n / bt * ci16) + (ch / bl)) * w.Height) + h) * w.Width + x;
                        data[(element * bt * bl) + (n % bt * bl) + (ch % bl)] = Data[((((n * w.InFilter) + ch) * w.Height) + h) * w.Width + x];
                    }
                }
            }
        }

        var weight = new sbyte[Weight.Length];
        int kh = w.KernelH, kw = w.KernelW, bo = c.BlockOut;
        for (var o = 0; o < w.OutFilter; o++)
        {
            for (var i = 0; i < w.InFilter; i++)
            {
                for (var y = 0; y < kh; y++)
                {
                    for (var x = 0; x < kw; x++)
                    {
                        var element = ((((o / bo * ci16) + (i / bl)) * kh) + y) * kw + x;
                        weight[(element * bo * bl) + (o % bo * bl) + (i % bl)] = Weight[((((o * w.InFilter) + i) * kh) + y) * kw + x];
                    }
                }
            }
        }

        var bias = new int[groups * co16 * bt * bo];
        for (var g = 0; g < groups; g++)
        {
            for (var o = 0; o < w.OutFilter; o++)
            {
                for (var b = 0; b < bt; b++)
                {
                    bias[(((g * co16) + (o / bo)) * bt * bo) + (b * bo) + (o % bo)] = Bias[o];
                }
            }
        }

        return Segments(data, weight, bias);
    }

    public override sbyte[] UnpackOutput(VtaConfig c, ReadOnlySpan<byte> packed)
    {
        var w = Workload;
        int bt = c.Batch, bo = c.BlockOut, co16 = w.OutFilter / bo, oh = w.OutHeight, ow = w.OutWidth;
        var output = new sbyte[w.Batch * w.OutFilter * oh * ow];
        for (var n = 0; n < w.Batch; n++)
        {
            for (var o = 0; o < w.OutFilter; o++)
            {
                for (var y = 0; y < oh; y++)
                {
                    for (var x = 0; x < ow; x++)
                    {
                        var element = ((((n / bt * co16) + (o / bo)) * oh) + y) * ow + x;
                        output[((((n * w.OutFilter) + o) * oh) + y) * ow + x] = (sbyte)packed[(element * bt * bo) + (n % bt * bo) + (o % bo)];
                    }
                }
            }
        }

        return output;
    }

    /// <summary>Direct convolution with zero padding, int32 accumulation, then the epilogue.</summary>
    protected override sbyte[] ComputeReference()
    {
        var w = Workload;
        int oh = w.OutHeight, ow = w.OutWidth, kh = w.KernelH, kw = w.KernelW;
        var output = new sbyte[w.Batch * w.OutFilter * oh * ow];
        for (var n = 0; n < w.Batch; n++)
        {
            for (var o = 0; o < w.OutFilter; o++)
            {
                for (var y = 0; y < oh; y++)
                {
                    for (var x = 0; x < ow; x++)
                    {
                        var sum = 0;
                        for (var i = 0; i < w.InFilter; i++)
                        {
                            for (var dy = 0; dy < kh; dy++)
                            {
                                var iy = (y * w.StrideH) + dy - w.PadH;
                                if (iy < 0 || iy >= w.Height)
                                {
                                    continue;
                                }

                                var dataRow = ((((n * w.InFilter) + i) * w.Height) + iy) * w.Width;
                                var weightRow = ((((o * w.InFilter) + i) * kh) + dy) * kw;
                                for (var dx = 0; dx < kw; dx++)
                                {
                                    var ix = (x * w.StrideW) + dx - w.PadW;
                                    if (ix >= 0 && ix < w.Width)
                                    {
                                        sum += Data[dataRow + ix] * Weight[weightRow + dx];
                                    }
                                }
                            }
                        }

                        output[((((n * w.OutFilter) + o) * oh) + y) * ow + x] = Epilogue(sum, Bias[o]);
                    }
                }
            }
        }

        return output;
    }
}
