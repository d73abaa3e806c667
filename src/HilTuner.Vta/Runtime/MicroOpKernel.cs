namespace HilTuner.Vta.Runtime;

/// <summary>
/// One micro-op kernel as the runtime builds it (a <c>UopKernel</c>): a run of micro-ops in the program's
/// micro-op segment. The runtime checks each kernel before launch.
/// </summary>
/// <param name="Name">Where it comes from, for messages (e.g. <c>gemm thread 1</c>).</param>
/// <param name="Start">Index of its first micro-op in the micro-op segment.</param>
/// <param name="Count">Its micro-ops.</param>
public sealed record MicroOpKernel(string Name, int Start, int Count);
