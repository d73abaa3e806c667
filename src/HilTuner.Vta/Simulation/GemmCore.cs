using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// The GEMM core's datapath for one micro-op: for every batch row b and output channel o,
/// <c>accum = ACC[b][o] + Σ_k INP[b][k]·WGT[o][k]</c> (int8 × int8 products, 32-bit wrap-around), then
/// <c>ACC[b][o] = reset ? 0 : accum</c> and <c>OUT[b][o] = low 8 bits of accum</c> — the HLS design writes the
/// output buffer from the sum even when it resets the accumulator. The accumulator is read from
/// <c>accIn</c> and written to <c>accOut</c>: they differ when a pipeline hazard makes the read see an older value.
/// </summary>
internal static unsafe class GemmCore
{
    /// <summary>True when the AVX2 kernel for VTA's default 16×16 block is used.</summary>
    public static bool Vectorized16 => Avx2.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Uop(sbyte* inp, sbyte* wgt, int* accIn, int* accOut, sbyte* output, int batch, int block, bool reset)
    {
        if (block == 16 && Avx2.IsSupported)
        {
            for (var b = 0; b < batch; b++)
            {
                Block16(inp + (b * 16), wgt, accIn + (b * 16), accOut + (b * 16), output + (b * 16), reset);
            }
        }
        else
        {
            Scalar(inp, wgt, accIn, accOut, output, batch, block, reset);
        }
    }

    public static void Scalar(sbyte* inp, sbyte* wgt, int* accIn, int* accOut, sbyte* output, int batch, int block, bool reset)
    {
        for (var b = 0; b < batch; b++)
        {
            for (var o = 0; o < block; o++)
            {
                var sum = 0;
                for (var k = 0; k < block; k++)
                {
                    sum += inp[(b * block) + k] * wgt[(o * block) + k];
                }

                var lane = (b * block) + o;
                var accum = unchecked(accIn[lane] + sum);
                accOut[lane] = reset ? 0 : accum;
                output[lane] = unchecked((sbyte)accum);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block16(sbyte* inp, sbyte* wgt, int* accIn, int* accOut, sbyte* output, bool reset)
    {
        var x = Avx2.ConvertToVector256Int16(inp);
        var lo = Eight(x, wgt);
        var hi = Eight(x, wgt + 128);
        var sumLo = Avx2.Add(Avx.LoadVector256(accIn), lo);
        var sumHi = Avx2.Add(Avx.LoadVector256(accIn + 8), hi);
        if (reset)
        {
            Avx.Store(accOut, Vector256<int>.Zero);
            Avx.Store(accOut + 8, Vector256<int>.Zero);
        }
        else
        {
            Avx.Store(accOut, sumLo);
            Avx.Store(accOut + 8, sumHi);
        }

        var halves = Vector256.Narrow(sumLo, sumHi);
        Vector128.Narrow(halves.GetLower(), halves.GetUpper()).Store(output);
    }

    /// <summary>Dot products of x with eight consecutive 16-lane weight rows, as eight int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Eight(Vector256<short> x, sbyte* w)
    {
        var p0 = Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(w));
        var p1 = Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(w + 16));
        var p2 = Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(w + 32));
        var p3 = Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(w + 48));
        var p4 = Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(w + 64));
        var p5 = Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(w + 80));
        var p6 = Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(w + 96));
        var p7 = Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(w + 112));

        // Two rounds of horizontal adds leave, per 128-bit lane, four partial sums (rows 0–3 and 4–7);
        // adding the two lanes of each completes them.
        var g0 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(p0, p1), Avx2.HorizontalAdd(p2, p3));
        var g1 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(p4, p5), Avx2.HorizontalAdd(p6, p7));
        return Avx2.Add(Avx2.Permute2x128(g0, g1, 0x20), Avx2.Permute2x128(g0, g1, 0x31));
    }
}
