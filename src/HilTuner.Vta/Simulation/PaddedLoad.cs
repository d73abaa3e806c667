namespace HilTuner.Vta.Simulation;

/// <summary>
/// A 2-D load into SRAM, row by row, as the HLS <c>load_pad_2d</c> performs it: <c>y_pad_0</c> rows of zeros,
/// then each data row as <c>x_pad_0</c> zeros, <c>x_size</c> elements from DRAM and <c>x_pad_1</c> zeros, then
/// <c>y_pad_1</c> rows of zeros, all written contiguously from <c>sram_base</c>. Each step's SRAM writes land at
/// the end of the step (when its data has arrived).
/// </summary>
internal sealed unsafe class PaddedLoad
{
    private byte* _sram;
    private int _elementBytes;
    private byte[] _dram = [];
    private long _dramOffset;
    private long _dramStrideBytes;
    private ulong _address;
    private int _yPad0;
    private int _ySize;
    private int _yPad1;
    private int _xPad0;
    private int _xSize;
    private int _xPad1;
    private int _row;
    private int _next;

    /// <summary>Elements the whole load writes, padding included.</summary>
    public long Elements => (long)(_xPad0 + _xSize + _xPad1) * (_yPad0 + _ySize + _yPad1);

    /// <param name="address">The physical byte address of the first data row (where its bursts start).</param>
    public void Begin(byte* sram, int elementBytes, int sramBase, byte[] dram, long dramOffset, ulong address, long dramStrideBytes,
        int yPad0, int ySize, int yPad1, int xPad0, int xSize, int xPad1)
    {
        _address = address;
        InFlight = false;
        _sram = sram;
        _elementBytes = elementBytes;
        _next = sramBase;
        _dram = dram;
        _dramOffset = dramOffset;
        _dramStrideBytes = dramStrideBytes;
        (_yPad0, _ySize, _yPad1, _xPad0, _xSize, _xPad1) = (yPad0, ySize, yPad1, xPad0, xSize, xPad1);
        _row = yPad0 > 0 ? -1 : 0;
        SkipEmpty();
    }

    /// <summary>True while steps remain.</summary>
    public bool HasStep => _row <= _ySize;

    /// <summary>True between <see cref="Start"/> and <see cref="Apply"/>: the next step's time is charged, its writes not yet made.</summary>
    public bool InFlight { get; private set; }

    /// <summary>
    /// Starts the next step at cycle <paramref name="time"/> (a row's padding, then its DMA on the machine's port);
    /// returns the cycle it ends, when <see cref="Apply"/> makes its writes.
    /// </summary>
    public long Start(Machine m, long time)
    {
        InFlight = true;
        var width = (long)_xPad0 + _xSize + _xPad1;
        if (_row < 0 || _row == _ySize)
        {
            return time + m.Timing.Padding((_row < 0 ? _yPad0 : _yPad1) * width);
        }

        var request = time + m.Timing.Padding(_xPad0 + _xPad1);
        return m.Dma(request, (long)_xSize * _elementBytes, _address + (ulong)(_row * _dramStrideBytes), write: false);
    }

    /// <summary>Performs the step <see cref="Start"/> began; returns the SRAM elements it wrote.</summary>
    public (int Start, int Count) Apply()
    {
        InFlight = false;
        var start = _next;
        var width = _xPad0 + _xSize + _xPad1;
        if (_row < 0)
        {
            Zero(_yPad0 * width);
        }
        else if (_row == _ySize)
        {
            Zero(_yPad1 * width);
        }
        else
        {
            Zero(_xPad0);
            var bytes = _xSize * _elementBytes;
            fixed (byte* source = &_dram[_dramOffset + (_row * _dramStrideBytes)])
            {
                Buffer.MemoryCopy(source, _sram + ((long)_next * _elementBytes), bytes, bytes);
            }

            _next += _xSize;
            Zero(_xPad1);
        }

        _row++;
        SkipEmpty();
        return (start, _next - start);
    }

    private void Zero(int elements)
    {
        new Span<byte>(_sram + ((long)_next * _elementBytes), elements * _elementBytes).Clear();
        _next += elements;
    }

    private void SkipEmpty()
    {
        if (_row == _ySize && _yPad1 == 0)
        {
            _row++;
        }
    }
}
