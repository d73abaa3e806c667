namespace HilTuner.Vta.Isa;

/// <summary>
/// The micro-op loop's fields read on a GEMM or ALU instruction itself, as VTA's <c>VTAGemInsn</c> and
/// <c>VTAAluInsn</c> hold them (<c>insn.uop_bgn</c>), and the iterations the instruction executes.
/// </summary>
public static class MicroOpLoopFields
{
    extension<T>(T instruction)
        where T : struct, IMicroOpLoopInstruction
    {
        public bool ResetReg => instruction.Loop.ResetReg;

        public uint UopBgn => instruction.Loop.UopBgn;

        public uint UopEnd => instruction.Loop.UopEnd;

        public uint IterOut => instruction.Loop.IterOut;

        public uint IterIn => instruction.Loop.IterIn;

        public uint DstFactorOut => instruction.Loop.DstFactorOut;

        public uint DstFactorIn => instruction.Loop.DstFactorIn;

        /// <summary>Micro-op iterations the instruction executes.</summary>
        public long UopIterations => instruction.Loop.Iterations;
    }
}
