using System.Runtime.InteropServices;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler.Reference;

/// <summary>
/// The tensors of one operator instance in plain (unpacked) layouts, their packing into VTA's layouts, and
/// the reference result: int32 accumulation, arithmetic shift right by 8, per-channel int32 bias add, clip to
/// [0, 127], int8 — the operator VTA's conv2d benchmark checks.
/// </summary>
public abstract class OperatorTensors
{
    /// <summary>The right shift of the epilogue.</summary>
    public const int Shift = 8;

    /// <summary>Bias values are drawn from [−BiasRange, BiasRange).</summary>
    public const int BiasRange = 1 << 14;

    /// <summary>Input activations, int8, unpacked (NCHW for conv2d, N×K for dense).</summary>
    public required sbyte[] Data { get; init; }

    /// <summary>Weights, int8, unpacked (OIHW for conv2d, M×K for dense).</summary>
    public required sbyte[] Weight { get; init; }

    /// <summary>Bias per output channel, int32.</summary>
    public required int[] Bias { get; init; }

    /// <summary>Random inputs from <paramref name="seed"/>: data, then weights uniform in [−128, 127], then bias in [−2^14, 2^14).</summary>
    public static OperatorTensors Random(Workload workload, int seed) => workload switch
    {
        Conv2dWorkload c => Conv2dTensors.Random(c, seed),
        DenseWorkload d => DenseTensors.Random(d, seed),
        _ => throw new ArgumentException($"no tensors for {workload.Operator}"),
    };

    private readonly Lock _lock = new();
    private sbyte[]? _reference;
    private (VtaConfig Config, IReadOnlyDictionary<SegmentKind, byte[]> Packed)? _packed;

    /// <summary>The segment contents in VTA's packed layouts for <paramref name="config"/> (computed once per configuration).</summary>
    public IReadOnlyDictionary<SegmentKind, byte[]> Pack(VtaConfig config)
    {
        lock (_lock)
        {
            if (_packed is not { } packed || packed.Config != config)
            {
                packed = (config, PackFor(config));
                _packed = packed;
            }

            return packed.Packed;
        }
    }

    /// <summary>The expected output in the plain layout (computed once).</summary>
    public sbyte[] Reference()
    {
        lock (_lock)
        {
            return _reference ??= ComputeReference();
        }
    }

    /// <summary>The output segment's packed bytes back in the plain layout.</summary>
    public abstract sbyte[] UnpackOutput(VtaConfig config, ReadOnlySpan<byte> packed);

    protected abstract IReadOnlyDictionary<SegmentKind, byte[]> PackFor(VtaConfig config);

    protected abstract sbyte[] ComputeReference();

    /// <summary>The epilogue applied to one accumulated value.</summary>
    public static sbyte Epilogue(int accumulator, int bias) => (sbyte)Math.Clamp((accumulator >> Shift) + bias, 0, 127);

    /// <summary>The packed data, weight and bias as the program's input segments (bias int32 little-endian).</summary>
    protected static IReadOnlyDictionary<SegmentKind, byte[]> Segments(sbyte[] data, sbyte[] weight, int[] bias) =>
        new Dictionary<SegmentKind, byte[]>
        {
            [SegmentKind.Data] = MemoryMarshal.AsBytes(data.AsSpan()).ToArray(),
            [SegmentKind.Weight] = MemoryMarshal.AsBytes(weight.AsSpan()).ToArray(),
            [SegmentKind.Bias] = MemoryMarshal.AsBytes(bias.AsSpan()).ToArray(),
        };

    protected static (sbyte[] Data, sbyte[] Weight, int[] Bias) Draw(int seed, int data, int weight, int bias)
    {
        var random = new Random(seed);
        var d = new sbyte[data];
        var w = new sbyte[weight];
        var b = new int[bias];
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = (sbyte)random.Next(-128, 128);
        }

        for (var i = 0; i < w.Length; i++)
        {
            w[i] = (sbyte)random.Next(-128, 128);
        }

        for (var i = 0; i < b.Length; i++)
        {
            b[i] = random.Next(-BiasRange, BiasRange);
        }

        return (d, w, b);
    }
}
