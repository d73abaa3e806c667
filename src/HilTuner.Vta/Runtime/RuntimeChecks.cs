using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Runtime;

/// <summary>
/// The checks VTA's host runtime makes before it launches a program (its <c>CHECK</c>s in runtime.cc): a run
/// that fails one never reaches the accelerator and is reported as a runtime error, as AutoTVM reports it. The
/// compiler emits such programs as TVM does (nothing in TVM's build checks a kernel's size or its dependences);
/// these checks are where upstream refuses them.
/// </summary>
public static class RuntimeChecks
{
    /// <summary>Micro-ops of one kernel that may not write the same accumulator (the runtime's <c>VerifyDep</c>).</summary>
    public const int AccumulatorHazardWindow = 2;

    /// <summary>The first check <paramref name="image"/> fails, or null.</summary>
    public static RuntimeRefusal? FirstFailure(ProgramImage image, long maxTransferBytes)
    {
        var config = image.Config;
        if (image.Instructions.Count == 0 || IsaLayout.KindOf(image.Instructions[^1]) != InstructionKind.Finish)
        {
            return new(RuntimeCheckKind.Synchronize, "the instruction stream does not end with FINISH");
        }

        foreach (var segment in image.Segments)
        {
            if (segment.Length > maxTransferBytes)
            {
                return new(RuntimeCheckKind.MaxXfer, $"the {segment.Kind} buffer is {segment.Length} bytes, more than the runtime's largest transfer ({maxTransferBytes} bytes, VTA_MAX_XFER)");
            }
        }

        var layout = IsaLayout.For(config);
        foreach (var kernel in image.Kernels)
        {
            if (kernel.Count > config.UopBuffDepth)
            {
                return new(RuntimeCheckKind.UopQueuePush, $"micro-op kernel {kernel.Name} has {kernel.Count} micro-ops, more than the micro-op buffer's {config.UopBuffDepth} (kMaxNumUop)");
            }

            for (var i = 1; i < kernel.Count; i++)
            {
                var dst = MicroOp.Decode(layout, image.MicroOps[kernel.Start + i]).DstIdx;
                for (var back = 1; back <= AccumulatorHazardWindow && back <= i; back++)
                {
                    if (MicroOp.Decode(layout, image.MicroOps[kernel.Start + i - back]).DstIdx == dst)
                    {
                        return new(RuntimeCheckKind.VerifyDep, $"micro-op kernel {kernel.Name}: micro-ops {i - back} and {i} write accumulator {dst} {back} cycle(s) apart " +
                            "(the runtime refuses back-to-back writes to one accumulator index: a pipeline hazard)");
                    }
                }
            }
        }

        return null;
    }
}
