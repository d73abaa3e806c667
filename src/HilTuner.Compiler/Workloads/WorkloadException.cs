namespace HilTuner.Compiler.Workloads;

/// <summary>A workload that does not exist, is malformed, or cannot be packed for the board.</summary>
public sealed class WorkloadException(string message) : Exception(message);
