using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// The load module: LOAD INP (2-D, zero padding) and LOAD WGT (2-D; the HLS design ignores the pad fields
/// for weights) from DRAM into the input and weight SRAMs.
/// </summary>
internal sealed unsafe class LoadUnit(Machine machine, CommandQueue commands)
    : ExecutionUnit(VtaModule.Load, 0, machine, commands)
{
    private readonly PaddedLoad _transfer = new();
    private SharedBuffer _buffer;

    protected override void BeginExecute()
    {
        var m = MemoryInstruction.Decode(M.Layout, Word);
        if (m.IsNop)
        {
            _transfer.Begin(null, 0, 0, [], 0, 0, 0, 0, 0, 0, 0, 0, 0);
            return;
        }

        var config = M.Config;
        var isInput = m.MemoryType == MemoryType.Inp;
        _buffer = isInput ? SharedBuffer.Inp : SharedBuffer.Wgt;
        var elementBytes = isInput ? config.InpElemBytes : config.WgtElemBytes;
        var depth = isInput ? config.InpBuffDepth : config.WgtBuffDepth;
        var name = isInput ? "input" : "weight";

        // The HLS weight load is a plain 2-D copy: its pad fields have no effect.
        var (yPad0, yPad1, xPad0, xPad1) = isInput ? ((int)m.YPad0, (int)m.YPad1, (int)m.XPad0, (int)m.XPad1) : (0, 0, 0, 0);
        var elements = (long)(xPad0 + m.XSize + xPad1) * (yPad0 + m.YSize + yPad1);
        if (m.SramBase + elements > depth)
        {
            throw Fault($"writes {name} buffer elements [{m.SramBase}, {m.SramBase + elements}) beyond its depth {depth}");
        }

        var (dram, offset) = M.MapRows(m, elementBytes, Module, Pc, Time);
        _transfer.Begin((byte*)(isInput ? M.Sram.InpPtr : M.Sram.WgtPtr), elementBytes, (int)m.SramBase, dram, offset,
            (ulong)m.DramBase * (ulong)elementBytes, (long)m.XStride * elementBytes, yPad0, (int)m.YSize, yPad1, xPad0, (int)m.XSize, xPad1);
        var bytes = (long)m.XSize * m.YSize * elementBytes;
        if (isInput)
        {
            M.Counters.InpLoadNbytes += bytes;
        }
        else
        {
            M.Counters.WgtLoadNbytes += bytes;
        }
    }

    protected override bool Step() => StepTransfer(_transfer, _buffer);
}
