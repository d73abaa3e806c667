namespace HilTuner.Vta.Simulation;

/// <summary>One physically contiguous allocation in the simulated DRAM (what CMA or u-dma-buf gives on a board).</summary>
public sealed class DramBuffer
{
    internal DramBuffer(string name, ulong physicalAddress, byte[] data)
    {
        Name = name;
        PhysicalAddress = physicalAddress;
        Data = data;
    }

    public string Name { get; }

    /// <summary>Byte address of the first byte; page aligned.</summary>
    public ulong PhysicalAddress { get; }

    public long Length => Data.LongLength;

    /// <summary>One past the last byte.</summary>
    public ulong End => PhysicalAddress + (ulong)Data.LongLength;

    /// <summary>The contents; the host reads and writes them directly, as it does a coherent CMA buffer.</summary>
    public byte[] Data { get; }

    public Span<byte> Span => Data;

    /// <summary>
    /// The ISA's <c>dram_base</c> for element <paramref name="element"/> of this buffer viewed as an array of
    /// <paramref name="elementBytes"/>-byte elements (DRAM addresses in instructions count elements).
    /// </summary>
    public uint ElementAddress(int elementBytes, long element = 0)
    {
        if (PhysicalAddress % (ulong)elementBytes != 0)
        {
            throw new InvalidOperationException($"{this} is not aligned to {elementBytes}-byte elements");
        }

        return checked((uint)((PhysicalAddress / (ulong)elementBytes) + (ulong)element));
    }

    public bool Contains(ulong address, long length) => address >= PhysicalAddress && length >= 0 && address + (ulong)length <= End;

    public override string ToString() => $"{Name} [0x{PhysicalAddress:x}, 0x{End:x})";
}
