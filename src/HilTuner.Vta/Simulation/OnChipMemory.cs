using HilTuner.Vta.Config;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// VTA's on-chip SRAMs, element by element in the element layout of vta-isa.md §1.2: input lane
/// <c>b·BLOCK_IN + k</c>, weight lane <c>o·BLOCK_IN + k</c> (output-channel major), accumulator and output
/// lane <c>b·BLOCK_OUT + o</c>. The arrays are pinned so the kernels can use raw pointers.
/// </summary>
public sealed unsafe class OnChipMemory
{
    internal OnChipMemory(VtaConfig config, HardwareLimits limits)
    {
        InpDepth = config.InpBuffDepth;
        WgtDepth = config.WgtBuffDepth;
        AccDepth = config.AccBuffDepth;
        UopDepth = limits.UopBufferDepth;
        InpLanes = config.InpElemLanes;
        WgtLanes = config.WgtElemLanes;
        AccLanes = config.AccElemLanes;

        Inp = GC.AllocateArray<sbyte>(InpDepth * InpLanes, pinned: true);
        Wgt = GC.AllocateArray<sbyte>(WgtDepth * WgtLanes, pinned: true);
        Acc = GC.AllocateArray<int>(AccDepth * AccLanes, pinned: true);
        Out = GC.AllocateArray<sbyte>(AccDepth * AccLanes, pinned: true);
        Uop = GC.AllocateArray<uint>(UopDepth, pinned: true);
        UopDst = GC.AllocateArray<int>(UopDepth, pinned: true);
        UopSrc = GC.AllocateArray<int>(UopDepth, pinned: true);
        UopWgt = GC.AllocateArray<int>(UopDepth, pinned: true);

        InpPtr = (sbyte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref Inp[0]);
        WgtPtr = (sbyte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref Wgt[0]);
        AccPtr = (int*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref Acc[0]);
        OutPtr = (sbyte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref Out[0]);

        _block = config.BlockIn;
        if (GemmCore.Pairs(_block))
        {
            _wgtPairs = GC.AllocateUninitializedArray<short>(WgtDepth * WgtLanes, pinned: true);
            _wgtPairsPtr = (short*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _wgtPairs[0]);
        }

        _wgtPairsStale = GC.AllocateArray<bool>(WgtDepth, pinned: true);
        WgtPairsStalePtr = (bool*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _wgtPairsStale[0]);
        WeightsChanged();

        var layout = Isa.IsaLayout.For(config);
        _dstMask = (uint)layout.DstIdx.Mask;
        _srcShift = layout.SrcIdx.Offset;
        _srcMask = (uint)layout.SrcIdx.Mask;
        _wgtShift = layout.WgtIdx.Offset;
        _wgtMask = (uint)layout.WgtIdx.Mask;
    }

    private readonly int _block;
    private readonly short[] _wgtPairs = [];
    private readonly short* _wgtPairsPtr;

    /// <summary>Per weight element, whether its paired form must be made again before use (see <see cref="PairedWeights"/>).</summary>
    internal bool* WgtPairsStalePtr { get; }

    /// <summary>The paired forms of every weight element, <see cref="WgtLanes"/> 16-bit values each; null when BLOCK has none.</summary>
    internal short* WgtPairsPtr => _wgtPairsPtr;
    private readonly bool[] _wgtPairsStale;
    private readonly uint _dstMask;
    private readonly int _srcShift;
    private readonly uint _srcMask;
    private readonly int _wgtShift;
    private readonly uint _wgtMask;

    public int InpDepth { get; }
    public int WgtDepth { get; }
    public int AccDepth { get; }

    /// <summary>The board's real micro-op buffer depth (smaller than the ISA's on Chisel builds).</summary>
    public int UopDepth { get; }

    public int InpLanes { get; }
    public int WgtLanes { get; }
    public int AccLanes { get; }

    public sbyte[] Inp { get; }
    public sbyte[] Wgt { get; }
    public int[] Acc { get; }

    /// <summary>The HLS design's separate 8-bit output buffer: every GEMM and ALU result's low 8 bits land here too.</summary>
    public sbyte[] Out { get; }

    /// <summary>Raw micro-op words as loaded.</summary>
    public uint[] Uop { get; }

    internal int[] UopDst { get; }
    internal int[] UopSrc { get; }
    internal int[] UopWgt { get; }

    internal sbyte* InpPtr { get; }
    internal sbyte* WgtPtr { get; }
    internal int* AccPtr { get; }
    internal sbyte* OutPtr { get; }

    /// <summary>
    /// The paired form (<see cref="GemmCore.Pair"/>) of weight element <paramref name="index"/>, which the vector GEMM
    /// kernels read; made again from <see cref="Wgt"/> on first use after the element was written. Null when the
    /// configuration's BLOCK has no paired form.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal short* PairedWeights(int index)
    {
        if (WgtPairsStalePtr[index])
        {
            PairAgain(index);
        }

        return _wgtPairsPtr == null ? null : _wgtPairsPtr + ((long)index * WgtLanes);
    }

    /// <summary>Makes the paired form of weight element <paramref name="index"/> from <see cref="Wgt"/> (when BLOCK has one).</summary>
    internal void PairAgain(int index)
    {
        if (_wgtPairsPtr != null)
        {
            GemmCore.Pair(WgtPtr + ((long)index * WgtLanes), _wgtPairsPtr + ((long)index * WgtLanes), _block);
        }

        WgtPairsStalePtr[index] = false;
    }

    /// <summary>Weight elements [<paramref name="start"/>, start + <paramref name="count"/>) were written: their paired forms are stale.</summary>
    internal void WeightsWritten(int start, int count) => _wgtPairsStale.AsSpan(start, count).Fill(true);

    /// <summary>
    /// Any weight element may have changed outside the simulator's loads (<see cref="Wgt"/> is public): every paired
    /// form is stale. The simulator calls it at the start of every run.
    /// </summary>
    internal void WeightsChanged() => Array.Fill(_wgtPairsStale, true);

    /// <summary>Writes one micro-op word and its decoded indices.</summary>
    internal void SetUop(int index, uint word)
    {
        Uop[index] = word;
        UopDst[index] = (int)(word & _dstMask);
        UopSrc[index] = (int)((word >> _srcShift) & _srcMask);
        UopWgt[index] = (int)((word >> _wgtShift) & _wgtMask);
    }

    /// <summary>Zeroes every buffer (what a bitstream reload does; a soft reset keeps SRAM contents).</summary>
    public void Clear()
    {
        Array.Clear(Inp);
        Array.Clear(Wgt);
        WeightsChanged();
        Array.Clear(Acc);
        Array.Clear(Out);
        Array.Clear(Uop);
        Array.Clear(UopDst);
        Array.Clear(UopSrc);
        Array.Clear(UopWgt);
    }
}
