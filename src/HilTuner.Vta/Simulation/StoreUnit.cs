using System.Runtime.CompilerServices;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// The store module: STORE copies rows of the 8-bit output buffer to DRAM. Each row reads SRAM when it
/// starts and takes the DMA's time to land. The HLS design ignores the pad fields of a store.
/// </summary>
/// <remarks>
/// Back ends disagree on the source: VTA's functional simulator truncates the 32-bit accumulators on the way
/// out, the HLS design stores its separate 8-bit output buffer, which only GEMM and ALU write. The HLS design
/// is followed: a value that reaches the accumulators by LOAD ACC alone is not what a store sees.
/// </remarks>
internal sealed unsafe class StoreUnit(Machine machine, CommandQueue commands)
    : ExecutionUnit(VtaModule.Store, 2, machine, commands)
{
    private byte[] _dram = [];
    private long _dramOffset;
    private long _strideBytes;
    private ulong _address;
    private int _sramNext;
    private int _xSize;
    private int _rows;
    private int _row;
    private int _elementBytes;

    protected override void BeginExecute()
    {
        var m = MemoryInstruction.Decode(M.Layout, Word);
        _row = _rows = 0;
        if (m.IsNop)
        {
            return;
        }

        if (m.MemoryType != MemoryType.Out)
        {
            var type = Enum.IsDefined(m.MemoryType) ? m.MemoryType.ToString().ToUpperInvariant() : ((int)m.MemoryType).ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw Fault($"STORE of memory type {type}: the store module stores only the output buffer (OUT)");
        }

        var config = M.Config;
        var elements = (long)m.XSize * m.YSize;
        if (m.SramBase + elements > config.OutBuffDepth)
        {
            throw Fault($"reads output buffer elements [{m.SramBase}, {m.SramBase + elements}) beyond its depth {config.OutBuffDepth}");
        }

        _elementBytes = config.OutElemBytes;
        (_dram, _dramOffset) = M.MapRows(m, _elementBytes, Module, Pc, Time);
        _strideBytes = (long)m.XStride * _elementBytes;
        _address = (ulong)m.DramBase * (ulong)_elementBytes;
        _sramNext = (int)m.SramBase;
        _xSize = (int)m.XSize;
        _rows = (int)m.YSize;
        M.Counters.OutStoreNbytes += elements * _elementBytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override bool Step()
    {
        var limit = LimitTime;
        var rowBytes = _xSize * _elementBytes;
        while (_row < _rows)
        {
            if (Time > limit)
            {
                return false;
            }

            fixed (byte* target = &_dram[_dramOffset + (_row * _strideBytes)])
            {
                Buffer.MemoryCopy((byte*)M.Sram.OutPtr + ((long)_sramNext * _elementBytes), target, rowBytes, rowBytes);
            }

            M.Races?.Read(SharedBuffer.Out, _sramNext, _xSize, Module, Pc, Clock);
            _sramNext += _xSize;
            Time = M.Dma(Time, rowBytes, _address + (ulong)(_row * _strideBytes), write: true);
            _row++;
        }

        return true;
    }
}
