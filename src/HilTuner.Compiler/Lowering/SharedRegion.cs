namespace HilTuner.Compiler.Lowering;

/// <summary>The SRAM regions two modules share, per virtual thread: what dependency tokens must order.</summary>
internal enum SharedRegion
{
    /// <summary>Input tile: written by load, read by GEMM.</summary>
    Inp,

    /// <summary>Weight tile: written by load, read by GEMM.</summary>
    Wgt,

    /// <summary>Output tile: written by GEMM and ALU, read by store.</summary>
    Out,
}
