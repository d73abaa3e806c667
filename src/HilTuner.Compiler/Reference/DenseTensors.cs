using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler.Reference;

/// <summary>Dense tensors: data N×K, weight M×K, bias per output feature; output N×M.</summary>
public sealed class DenseTensors : OperatorTensors
{
    public required DenseWorkload Workload { get; init; }

    public static DenseTensors Random(DenseWorkload w, int seed)
    {
        var (data, weight, bias) = Draw(seed, w.Batch * w.InFeatures, w.OutFeatures * w.InFeatures, w.OutFeatures);
        return new DenseTensors { Workload = w, Data = data, Weight = weight, Bias = bias };
    }

    /// <summary>Data as (N/BATCH, K/BLOCK, BATCH, BLOCK), weights as (M/BLOCK, K/BLOCK, BLOCK, BLOCK), bias per output block.</summary>
    protected override IReadOnlyDictionary<SegmentKind, byte[]> PackFor(VtaConfig c)
    {
        var w = Workload;
        int bt = c.Batch, bl = c.BlockIn, bo = c.BlockOut, k16 = w.InFeatures / bl, m16 = w.OutFeatures / bo;
        var data = new sbyte[Data.Length];
        for (var n = 0; n < w.Batch; n++)
        {
            for (var k = 0; k < w.InFeatures; k++)
            {
                data[((((n / bt * k16) + (k / bl)) * bt) + (n % bt)) * bl + (k % bl)] = Data[(n * w.InFeatures) + k];
            }
        }

        var weight = new sbyte[Weight.Length];
        for (var m = 0; m < w.OutFeatures; m++)
        {
            for (var k = 0; k < w.InFeatures; k++)
            {
                weight[((((m / bo * k16) + (k / bl)) * bo) + (m % bo)) * bl + (k % bl)] = Weight[(m * w.InFeatures) + k];
            }
        }

        var bias = new int[m16 * bt * bo];
        for (var m = 0; m < w.OutFeatures; m++)
        {
            for (var b = 0; b < bt; b++)
            {
                bias[(((m / bo) * bt) + b) * bo + (m % bo)] = Bias[m];
            }
        }

        return Segments(data, weight, bias);
    }

    public override sbyte[] UnpackOutput(VtaConfig c, ReadOnlySpan<byte> packed)
    {
        var w = Workload;
        int bt = c.Batch, bo = c.BlockOut, m16 = w.OutFeatures / bo;
        var output = new sbyte[w.Batch * w.OutFeatures];
        for (var n = 0; n < w.Batch; n++)
        {
            for (var m = 0; m < w.OutFeatures; m++)
            {
                output[(n * w.OutFeatures) + m] = (sbyte)packed[((((n / bt * m16) + (m / bo)) * bt) + (n % bt)) * bo + (m % bo)];
            }
        }

        return output;
    }

    protected override sbyte[] ComputeReference()
    {
        var w = Workload;
        var output = new sbyte[w.Batch * w.OutFeatures];
        for (var n = 0; n < w.Batch; n++)
        {
            for (var m = 0; m < w.OutFeatures; m++)
            {
                var sum = 0;
                for (var k = 0; k < w.InFeatures; k++)
                {
                    sum += Data[(n * w.InFeatures) + k] * Weight[(m * w.InFeatures) + k];
                }

                output[(n * w.OutFeatures) + m] = Epilogue(sum, Bias[m]);
            }
        }

        return output;
    }
}
