using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>What a tuner learns from one trial: the configuration and its GFLOPS (0 when it failed, AutoTVM's penalty).</summary>
public sealed record TrialOutcome(Configuration Configuration, bool Succeeded, double Gflops);
