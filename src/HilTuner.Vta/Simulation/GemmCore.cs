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
/// <remarks>
/// <para>
/// The vector kernels read a weight element in its <em>paired</em> form (<see cref="Pair"/>, kept beside the weight
/// SRAM by <see cref="OnChipMemory"/>): widened to 16 bits and transposed so that, for each pair of reduction lanes
/// (2p, 2p+1), the weights of consecutive output lanes sit side by side. One multiply-add of adjacent 16-bit lanes
/// (<c>vpmaddwd</c>) of a pair row with the input pair broadcast then gives two products summed for eight output lanes
/// at once, and the sum over pairs needs no horizontal additions. Every product of two int8 values and every sum of
/// two such products fits in 32 bits (|−128·−128·2| = 32768), and 32-bit addition wraps in any order, so the result
/// is bit for bit the scalar datapath's.
/// </para>
/// <para>
/// Kernels: AVX2 for BLOCK a multiple of 8 (unrolled for VTA's usual 16); a portable <see cref="Vector128"/> kernel
/// (arm64's AdvSimd, or x86 without AVX2) for BLOCK a multiple of 4; <see cref="Scalar"/> otherwise.
/// </para>
/// </remarks>
internal static unsafe class GemmCore
{
    /// <summary>The kernel <see cref="Uop"/> uses for a BLOCK.</summary>
    public enum Kernel
    {
        Scalar,
        Vector128,
        Avx2,
    }

    /// <summary>Whether a weight element of this BLOCK has a paired form (the vector kernels need one).</summary>
    public static bool Pairs(int block) => (block & 3) == 0;

    /// <summary>The kernel used on this machine for <paramref name="block"/>.</summary>
    public static Kernel KernelFor(int block) =>
        Avx2.IsSupported && (block & 7) == 0 ? Kernel.Avx2
        : Vector128.IsHardwareAccelerated && Pairs(block) ? Kernel.Vector128
        : Kernel.Scalar;

    /// <summary>
    /// Writes the paired form of one weight element (<paramref name="block"/>² int8 lanes, output-channel major) to
    /// <paramref name="pairs"/>: <c>pairs[(p·BLOCK + o)·2 + t] = WGT[o][2p + t]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pair(sbyte* wgt, short* pairs, int block)
    {
        if (Avx2.IsSupported && (block & 15) == 0)
        {
            PairAvx2(wgt, (int*)pairs, block);
            return;
        }

        for (var o = 0; o < block; o++)
        {
            var row = wgt + (o * block);
            for (var p = 0; p < block / 2; p++)
            {
                var at = pairs + (((p * block) + o) * 2);
                at[0] = row[2 * p];
                at[1] = row[(2 * p) + 1];
            }
        }
    }

    /// <summary>
    /// <see cref="Pair"/> eight output rows by eight pairs at a time: each row's sixteen weights widened to 16 bits are
    /// eight 32-bit pairs, and the 8×8 matrix of pairs is transposed in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PairAvx2(sbyte* wgt, int* pairs, int block)
    {
        for (var o = 0; o < block; o += 8)
        {
            for (var p = 0; p < block / 2; p += 8)
            {
                var at = wgt + (o * block) + (2 * p);
                var r0 = Avx2.ConvertToVector256Int16(at).AsInt32();
                var r1 = Avx2.ConvertToVector256Int16(at + block).AsInt32();
                var r2 = Avx2.ConvertToVector256Int16(at + (2 * block)).AsInt32();
                var r3 = Avx2.ConvertToVector256Int16(at + (3 * block)).AsInt32();
                var r4 = Avx2.ConvertToVector256Int16(at + (4 * block)).AsInt32();
                var r5 = Avx2.ConvertToVector256Int16(at + (5 * block)).AsInt32();
                var r6 = Avx2.ConvertToVector256Int16(at + (6 * block)).AsInt32();
                var r7 = Avx2.ConvertToVector256Int16(at + (7 * block)).AsInt32();
                var t0 = Avx2.UnpackLow(r0, r1).AsInt64();
                var t1 = Avx2.UnpackHigh(r0, r1).AsInt64();
                var t2 = Avx2.UnpackLow(r2, r3).AsInt64();
                var t3 = Avx2.UnpackHigh(r2, r3).AsInt64();
                var t4 = Avx2.UnpackLow(r4, r5).AsInt64();
                var t5 = Avx2.UnpackHigh(r4, r5).AsInt64();
                var t6 = Avx2.UnpackLow(r6, r7).AsInt64();
                var t7 = Avx2.UnpackHigh(r6, r7).AsInt64();
                var u0 = Avx2.UnpackLow(t0, t2);
                var u1 = Avx2.UnpackHigh(t0, t2);
                var u2 = Avx2.UnpackLow(t1, t3);
                var u3 = Avx2.UnpackHigh(t1, t3);
                var u4 = Avx2.UnpackLow(t4, t6);
                var u5 = Avx2.UnpackHigh(t4, t6);
                var u6 = Avx2.UnpackLow(t5, t7);
                var u7 = Avx2.UnpackHigh(t5, t7);
                var column = pairs + (p * block) + o;
                Avx.Store((long*)column, Avx2.Permute2x128(u0, u4, 0x20));
                Avx.Store((long*)(column + block), Avx2.Permute2x128(u1, u5, 0x20));
                Avx.Store((long*)(column + (2 * block)), Avx2.Permute2x128(u2, u6, 0x20));
                Avx.Store((long*)(column + (3 * block)), Avx2.Permute2x128(u3, u7, 0x20));
                Avx.Store((long*)(column + (4 * block)), Avx2.Permute2x128(u0, u4, 0x31));
                Avx.Store((long*)(column + (5 * block)), Avx2.Permute2x128(u1, u5, 0x31));
                Avx.Store((long*)(column + (6 * block)), Avx2.Permute2x128(u2, u6, 0x31));
                Avx.Store((long*)(column + (7 * block)), Avx2.Permute2x128(u3, u7, 0x31));
            }
        }
    }

    /// <summary>
    /// One micro-op with the machine's kernel for <paramref name="block"/>: <paramref name="wgt"/> is the weight
    /// element, <paramref name="pairs"/> its paired form (<see cref="Pair"/>; read only when <see cref="Pairs"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Uop(sbyte* inp, sbyte* wgt, short* pairs, int* accIn, int* accOut, sbyte* output, int batch, int block, bool reset)
    {
        if (Avx2.IsSupported && block == 16)
        {
            for (var b = 0; b < batch; b++)
            {
                Avx2Block16(inp + (b * 16), pairs, accIn + (b * 16), accOut + (b * 16), output + (b * 16), reset);
            }
        }
        else
        {
            Run(KernelFor(block), inp, wgt, pairs, accIn, accOut, output, batch, block, reset);
        }
    }

    /// <summary>One micro-op with the kernel named (the tests compare every kernel with the scalar datapath).</summary>
    public static void Run(Kernel kernel, sbyte* inp, sbyte* wgt, short* pairs, int* accIn, int* accOut, sbyte* output, int batch, int block, bool reset)
    {
        switch (kernel)
        {
            case Kernel.Avx2:
                Avx2Uop(inp, pairs, accIn, accOut, output, batch, block, reset);
                break;
            case Kernel.Vector128:
                PortableUop(inp, pairs, accIn, accOut, output, batch, block, reset);
                break;
            default:
                Scalar(inp, wgt, accIn, accOut, output, batch, block, reset);
                break;
        }
    }

    /// <summary>The datapath lane by lane, as the HLS design's loops write it: the reference every kernel must match.</summary>
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

    /// <summary>Input lanes 2p and 2p+1 of one batch row as one 32-bit value (two 16-bit halves), as <c>vpmaddwd</c> pairs them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int InputPair(sbyte* x, int p) => (x[2 * p] & 0xFFFF) + (x[(2 * p) + 1] << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Avx2Block16(sbyte* inp, short* pairs, int* accIn, int* accOut, sbyte* output, bool reset)
    {
        // The input row widened to 16 bits; each 128-bit half duplicated, so that one in-lane shuffle broadcasts a pair.
        var x = Avx2.ConvertToVector256Int16(inp).AsInt32();
        var x0 = Avx2.Permute2x128(x, x, 0x00);
        var x1 = Avx2.Permute2x128(x, x, 0x11);
        var lo = Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x0, 0x00).AsInt16(), Avx.LoadVector256(pairs));
        var hi = Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x0, 0x00).AsInt16(), Avx.LoadVector256(pairs + 16));
        lo = Avx2.Add(lo, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x0, 0x55).AsInt16(), Avx.LoadVector256(pairs + 32)));
        hi = Avx2.Add(hi, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x0, 0x55).AsInt16(), Avx.LoadVector256(pairs + 48)));
        lo = Avx2.Add(lo, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x0, 0xAA).AsInt16(), Avx.LoadVector256(pairs + 64)));
        hi = Avx2.Add(hi, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x0, 0xAA).AsInt16(), Avx.LoadVector256(pairs + 80)));
        lo = Avx2.Add(lo, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x0, 0xFF).AsInt16(), Avx.LoadVector256(pairs + 96)));
        hi = Avx2.Add(hi, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x0, 0xFF).AsInt16(), Avx.LoadVector256(pairs + 112)));
        lo = Avx2.Add(lo, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x1, 0x00).AsInt16(), Avx.LoadVector256(pairs + 128)));
        hi = Avx2.Add(hi, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x1, 0x00).AsInt16(), Avx.LoadVector256(pairs + 144)));
        lo = Avx2.Add(lo, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x1, 0x55).AsInt16(), Avx.LoadVector256(pairs + 160)));
        hi = Avx2.Add(hi, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x1, 0x55).AsInt16(), Avx.LoadVector256(pairs + 176)));
        lo = Avx2.Add(lo, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x1, 0xAA).AsInt16(), Avx.LoadVector256(pairs + 192)));
        hi = Avx2.Add(hi, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x1, 0xAA).AsInt16(), Avx.LoadVector256(pairs + 208)));
        lo = Avx2.Add(lo, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x1, 0xFF).AsInt16(), Avx.LoadVector256(pairs + 224)));
        hi = Avx2.Add(hi, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(x1, 0xFF).AsInt16(), Avx.LoadVector256(pairs + 240)));
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

    /// <summary>Any BLOCK a multiple of 8: eight output lanes at a time, one broadcast input pair per pair row.</summary>
    private static void Avx2Uop(sbyte* inp, short* pairs, int* accIn, int* accOut, sbyte* output, int batch, int block, bool reset)
    {
        for (var b = 0; b < batch; b++)
        {
            var x = inp + (b * block);
            for (var o = 0; o < block; o += 8)
            {
                var sum = Vector256<int>.Zero;
                for (var p = 0; p < block / 2; p++)
                {
                    var pair = Vector256.Create(InputPair(x, p)).AsInt16();
                    sum = Avx2.Add(sum, Avx2.MultiplyAddAdjacent(pair, Avx.LoadVector256(pairs + (((p * block) + o) * 2))));
                }

                var lane = (b * block) + o;
                var accum = Avx2.Add(Avx.LoadVector256(accIn + lane), sum);
                Avx.Store(accOut + lane, reset ? Vector256<int>.Zero : accum);
                var bytes = Vector128.Narrow(Vector128.Narrow(accum.GetLower(), accum.GetUpper()), Vector128<short>.Zero);
                *(long*)(output + lane) = bytes.AsInt64().ToScalar();
            }
        }
    }

    /// <summary>
    /// Any BLOCK a multiple of 4, with <see cref="Vector128"/> operations only (AdvSimd on arm64): four output lanes at
    /// a time; the multiply-add of adjacent 16-bit lanes is two widening products and an add of each 64-bit lane's halves.
    /// </summary>
    private static void PortableUop(sbyte* inp, short* pairs, int* accIn, int* accOut, sbyte* output, int batch, int block, bool reset)
    {
        for (var b = 0; b < batch; b++)
        {
            var x = inp + (b * block);
            for (var o = 0; o < block; o += 4)
            {
                var sum = Vector128<int>.Zero;
                for (var p = 0; p < block / 2; p++)
                {
                    var (xl, xh) = Vector128.Widen(Vector128.Create(InputPair(x, p)).AsInt16());
                    var (wl, wh) = Vector128.Widen(Vector128.Load(pairs + (((p * block) + o) * 2)));
                    sum += AddAdjacent(wl * xl, wh * xh);
                }

                var lane = (b * block) + o;
                var accum = Vector128.Load(accIn + lane) + sum;
                (reset ? Vector128<int>.Zero : accum).Store(accOut + lane);
                var bytes = Vector128.Narrow(Vector128.Narrow(accum, accum), Vector128<short>.Zero);
                *(int*)(output + lane) = bytes.AsInt32().ToScalar();
            }
        }
    }

    /// <summary>[a0+a1, a2+a3, b0+b1, b2+b3] with 32-bit wrap-around.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> AddAdjacent(Vector128<int> a, Vector128<int> b)
    {
        var la = a.AsInt64();
        var lb = b.AsInt64();
        return Vector128.Narrow(la + Vector128.ShiftRightLogical(la, 32), lb + Vector128.ShiftRightLogical(lb, 32));
    }
}
