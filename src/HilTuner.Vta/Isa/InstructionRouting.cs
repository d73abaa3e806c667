namespace HilTuner.Vta.Isa;

/// <summary>
/// Where fetch sends an instruction, and which dependency queue each flag means on the module that runs it.
/// </summary>
public static class InstructionRouting
{
    /// <summary>
    /// Fetch's partial decode: STORE → store; LOAD of INP or WGT → load; every other LOAD, GEMM, ALU, FINISH
    /// and the undefined opcodes → compute.
    /// </summary>
    public static VtaModule ModuleOf(InstructionWord word)
    {
        var opcode = (Opcode)word.OpcodeBits;
        if (opcode == Opcode.Store)
        {
            return VtaModule.Store;
        }

        if (opcode == Opcode.Load)
        {
            var memoryType = (MemoryType)((word.Low >> 7) & 7);
            return memoryType is MemoryType.Inp or MemoryType.Wgt ? VtaModule.Load : VtaModule.Compute;
        }

        return VtaModule.Compute;
    }

    /// <summary>The queue a flag pops from or pushes to on <paramref name="module"/>; null where the module ignores the flag.</summary>
    public static DependencyQueueId? QueueFor(VtaModule module, DependencyFlags flag) => (module, flag) switch
    {
        (VtaModule.Load, DependencyFlags.PopNext) => DependencyQueueId.ComputeToLoad,
        (VtaModule.Load, DependencyFlags.PushNext) => DependencyQueueId.LoadToCompute,
        (VtaModule.Compute, DependencyFlags.PopPrev) => DependencyQueueId.LoadToCompute,
        (VtaModule.Compute, DependencyFlags.PopNext) => DependencyQueueId.StoreToCompute,
        (VtaModule.Compute, DependencyFlags.PushPrev) => DependencyQueueId.ComputeToLoad,
        (VtaModule.Compute, DependencyFlags.PushNext) => DependencyQueueId.ComputeToStore,
        (VtaModule.Store, DependencyFlags.PopPrev) => DependencyQueueId.ComputeToStore,
        (VtaModule.Store, DependencyFlags.PushPrev) => DependencyQueueId.StoreToCompute,
        _ => null,
    };
}
