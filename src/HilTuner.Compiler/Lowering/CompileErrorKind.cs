namespace HilTuner.Compiler.Lowering;

/// <summary>Why TVM's flow would refuse to build a configuration.</summary>
public enum CompileErrorKind
{
    /// <summary>A buffer in an SRAM scope exceeds the scope's size ("Allocation exceed bound of memory tag").</summary>
    SramOverflow,

    /// <summary>A copy cannot be expressed as one 2-D DMA ("cannot detect 2d pattern", "pad on the innermost block").</summary>
    DmaPattern,

    /// <summary>The loop nest around the GEMM intrinsic does not match it (tensorize fails).</summary>
    Tensorize,
}
