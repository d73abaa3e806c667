namespace HilTuner.Vta.Runtime;

/// <summary>
/// Which of VTA's host-runtime checks refused a program, named after the code in apache/tvm
/// <c>vta/runtime/runtime.cc</c> (or the driver) that makes it. Every one raises a TVMError (or aborts) on the board's
/// CPU before the accelerator is launched; AutoTVM records a runtime error (error_no 4).
/// </summary>
public enum RuntimeCheckKind
{
    /// <summary><c>CommandQueue::Synchronize</c>: <c>CHECK</c> that the last instruction is FINISH.</summary>
    Synchronize,

    /// <summary>
    /// A buffer larger than <c>VTA_MAX_XFER</c>: <c>Synchronize</c>'s <c>CHECK</c> for the instruction stream,
    /// <c>UopQueue::ReadBarrier</c>'s for the micro-ops, the pynq driver's <c>VTAMemAlloc</c> assert for a tensor.
    /// </summary>
    MaxXfer,

    /// <summary><c>UopQueue::Push</c>: <c>CHECK(num_op &lt;= kMaxNumUop)</c>, a micro-op kernel larger than the micro-op buffer.</summary>
    UopQueuePush,

    /// <summary><c>UopKernel::VerifyDep</c>: two writes of one accumulator index within 2 micro-ops of a kernel.</summary>
    VerifyDep,
}

/// <summary>Why the runtime refuses a program: the check and what it found.</summary>
public sealed record RuntimeRefusal(RuntimeCheckKind Kind, string Reason)
{
    public override string ToString() => $"{Kind}: {Reason}";
}
