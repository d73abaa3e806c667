using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>The SRAM buffers two modules share: where races can happen.</summary>
public enum SharedBuffer
{
    /// <summary>Written by load, read by compute (GEMM).</summary>
    Inp,

    /// <summary>Written by load, read by compute (GEMM).</summary>
    Wgt,

    /// <summary>Written by compute (GEMM, ALU), read by store.</summary>
    Out,
}

/// <summary>The order of the two unordered accesses, as they happened in this run.</summary>
public enum RaceKind
{
    /// <summary>A read after a write that no token orders before it: the reader may see the old data.</summary>
    ReadAfterWrite,

    /// <summary>A write after a read that no token orders after it: the reader may see the new data.</summary>
    WriteAfterRead,

    /// <summary>Two writes no token orders: either may win.</summary>
    WriteAfterWrite,
}

/// <summary>
/// Accesses to one SRAM buffer by two instructions of different modules that no dependency token orders:
/// on the board their order depends on timing.
/// </summary>
/// <param name="First">Index of the instruction whose access happened first in this run.</param>
/// <param name="Second">Index of the instruction whose access came second.</param>
/// <param name="FirstElement">The first element index on which the two collided.</param>
/// <param name="Elements">How many element accesses collided between these two instructions.</param>
/// <param name="ResetRead">
/// The read is a reset GEMM's: the HLS core reads its input and weight operands even when it clears the
/// accumulator, but their product reaches only the output buffer's low byte, which a program that stores
/// after an ALU or accumulating GEMM never sees. VTA's compiler leaves these reads unordered.
/// </param>
public sealed record RaceReport(
    SharedBuffer Buffer,
    RaceKind Kind,
    VtaModule FirstModule,
    int First,
    VtaModule SecondModule,
    int Second,
    int FirstElement,
    long Elements,
    bool ResetRead = false)
{
    public override string ToString() =>
        $"{Buffer.ToString().ToUpperInvariant()}[{FirstElement}]: {Kind} between instruction {First} ({FirstModule.ToString().ToLowerInvariant()}) " +
        $"and instruction {Second} ({SecondModule.ToString().ToLowerInvariant()}), unordered by any token ({Elements} element accesses)" +
        (ResetRead ? "; the read is a reset GEMM's, whose operands reach only the output buffer's low byte" : string.Empty);
}
