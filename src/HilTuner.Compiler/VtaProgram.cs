using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler;

/// <summary>
/// A compiled configuration: the program image (instructions, micro-ops, the DRAM layout of its segments —
/// instructions, micro-ops, data, weights, bias, output) and its compile features.
/// </summary>
public sealed record VtaProgram(Workload Workload, Configuration Configuration, ProgramImage Image, CompileFeatures Features);
