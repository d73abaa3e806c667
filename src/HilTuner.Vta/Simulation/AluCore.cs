using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// The tensor ALU's datapath for one micro-op, lane by lane, as the HLS design computes it:
/// MIN / MAX signed, ADD with 32-bit wrap-around, SHR by the low 5 bits of the operand taken as a signed
/// 5-bit number (−16…15; negative shifts left). The low 8 bits of each result also go to the output buffer.
/// </summary>
/// <remarks>
/// Back ends disagree on SHR: VTA's functional simulator shifts by the whole operand and the Chisel ALU by
/// the operand mod 32. The HLS bitstream (what PYNQ runs) is followed here.
/// </remarks>
internal static unsafe class AluCore
{
    /// <summary>The shift the HLS ALU applies for operand <paramref name="b"/>: its low 5 bits, sign-extended.</summary>
    public static int ShiftAmount(int b) => (b << 27) >> 27;

    public static int Apply(AluOpcode op, int a, int b) => op switch
    {
        AluOpcode.Min => Math.Min(a, b),
        AluOpcode.Max => Math.Max(a, b),
        AluOpcode.Add => unchecked(a + b),
        _ => ShiftAmount(b) is var s && s >= 0 ? a >> s : a << -s,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    /// <summary>
    /// One micro-op: <paramref name="dstIn"/> and <paramref name="src"/> are where the operands are read (they differ
    /// from the accumulator itself when a pipeline hazard hides a recent write), <paramref name="dst"/> where the result goes.
    /// </summary>
    public static void Uop(int* dstIn, int* src, int* dst, sbyte* output, int lanes, AluOpcode op, bool useImm, int imm)
    {
        if (Avx2.IsSupported && (lanes & 7) == 0)
        {
            var immediate = Vector256.Create(imm);
            for (var i = 0; i < lanes; i += 8)
            {
                var a = Avx.LoadVector256(dstIn + i);
                var b = useImm ? immediate : Avx.LoadVector256(src + i);
                var r = op switch
                {
                    AluOpcode.Min => Avx2.Min(a, b),
                    AluOpcode.Max => Avx2.Max(a, b),
                    AluOpcode.Add => Avx2.Add(a, b),
                    _ => Shift(a, b),
                };
                Avx.Store(dst + i, r);
                var bytes = Vector128.Narrow(Vector128.Narrow(r.GetLower(), r.GetUpper()), Vector128<short>.Zero);
                *(long*)(output + i) = bytes.AsInt64().ToScalar();
            }

            return;
        }

        for (var i = 0; i < lanes; i++)
        {
            var r = Apply(op, dstIn[i], useImm ? imm : src[i]);
            dst[i] = r;
            output[i] = unchecked((sbyte)r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Shift(Vector256<int> a, Vector256<int> b)
    {
        var s = Avx2.ShiftRightArithmetic(Avx2.ShiftLeftLogical(b, 27), 27);
        var right = Avx2.Max(s, Vector256<int>.Zero).AsUInt32();
        var left = Avx2.Max(Avx2.Subtract(Vector256<int>.Zero, s), Vector256<int>.Zero).AsUInt32();
        return Avx2.ShiftLeftLogicalVariable(Avx2.ShiftRightArithmeticVariable(a, right), left);
    }
}
