using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler.Lowering;

/// <summary>
/// Assembles a lowered schedule into a program: encodes instructions as they are emitted, places micro-op
/// kernels through the runtime's cache, and inserts the dependency tokens that order every pair of accesses
/// two modules make to a shared SRAM region (what TVM's <c>CoProcSync</c> and VTA's runtime do together).
/// </summary>
/// <remarks>
/// Work is grouped into <em>operations</em> — consecutive instructions of one module acting as one statement
/// (a load, a GEMM with its micro-op load, an ALU op). An operation that reads or writes a region another
/// module wrote or read last waits for the latest such operation: it pops one token on its first instruction
/// from that module's queue, and that operation pushes one on its last instruction. Waits already implied by
/// an earlier pop of the same module are skipped, so tokens pair up in order and none is left over.
/// </remarks>
internal sealed class ProgramBuilder
{
    private const int Load = 0, Compute = 1, Store = 2;

    private readonly IsaLayout _layout;
    private readonly VtaConfig _config;
    private readonly TimingParameters _timing;
    private readonly int _busBytes;
    private readonly List<InstructionWord> _words = [];
    private readonly List<SegmentKind?> _segments = [];
    private readonly List<int> _opLast = [];
    private readonly List<int> _opModule = [];
    private readonly Dictionary<(SharedRegion, int), RegionState> _regions = [];
    private readonly int[,] _covered = { { -1, -1, -1 }, { -1, -1, -1 }, { -1, -1, -1 } };
    private readonly List<uint> _uops = [];
    private readonly List<MicroOpKernel> _kernels = [];
    private readonly UopCache _uopCache;
    private int _opFirst = -1;
    private int _opModuleCurrent;

    public ProgramBuilder(Board board)
    {
        _layout = board.Isa;
        _config = board.Vta;
        _timing = board.Timing;
        _busBytes = board.Fabric.AxiDataBusBytes;
        _uopCache = new UopCache(_config.UopBuffDepth);
    }

    public Counters Count { get; } = new();

    /// <summary>Registers a micro-op kernel; returns its id. Its micro-ops go to the micro-op segment once.</summary>
    public int AddKernel(string name, MicroOp[] uops)
    {
        if (uops.Length > _config.UopBuffDepth)
        {
            throw new CompileError(CompileErrorKind.UopKernelTooLarge,
                $"micro-op kernel {name} has {uops.Length} micro-ops; the micro-op buffer holds {_config.UopBuffDepth}");
        }

        var start = _uops.Count;
        foreach (var uop in uops)
        {
            _uops.Add(uop.Encode(_layout));
        }

        _kernels.Add(new MicroOpKernel(name, start, uops.Length));
        Count.UopKernelMax = Math.Max(Count.UopKernelMax, uops.Length);
        return _kernels.Count - 1;
    }

    /// <summary>Starts an operation of <paramref name="module"/>.</summary>
    public void BeginOp(VtaModule module)
    {
        _opFirst = _words.Count;
        _opModuleCurrent = Index(module);
    }

    /// <summary>
    /// Ends the operation begun last: orders it after whatever another module last did to the regions it
    /// reads and writes (each given with its virtual thread).
    /// </summary>
    public void EndOp(ReadOnlySpan<(SharedRegion Region, int Thread)> reads, ReadOnlySpan<(SharedRegion Region, int Thread)> writes)
    {
        var me = _opModuleCurrent;
        var op = _opLast.Count;
        Span<int> needed = [-1, -1, -1];
        foreach (var key in reads)
        {
            var state = Region(key);
            if (state.Writer >= 0 && state.WriterModule != me)
            {
                needed[state.WriterModule] = Math.Max(needed[state.WriterModule], state.Writer);
            }
        }

        foreach (var key in writes)
        {
            var state = Region(key);
            if (state.Writer >= 0 && state.WriterModule != me)
            {
                needed[state.WriterModule] = Math.Max(needed[state.WriterModule], state.Writer);
            }

            for (var m = 0; m < 3; m++)
            {
                if (m != me && state.Readers[m] >= 0)
                {
                    needed[m] = Math.Max(needed[m], state.Readers[m]);
                }
            }
        }

        for (var producer = 0; producer < 3; producer++)
        {
            if (needed[producer] > _covered[me, producer])
            {
                _covered[me, producer] = needed[producer];
                SetFlag(_opFirst, PopBit(me, producer));
                SetFlag(_opLast[needed[producer]], PushBit(producer, me));
                CountToken(producer, me);
            }
        }

        foreach (var key in reads)
        {
            Region(key).Readers[me] = op;
        }

        foreach (var key in writes)
        {
            var state = Region(key);
            state.Writer = op;
            state.WriterModule = me;
            Array.Fill(state.Readers, -1);
        }

        _opLast.Add(_words.Count - 1);
        _opModule.Add(me);
    }

    /// <summary>A LOAD or STORE; <paramref name="segment"/> is the arena segment its DRAM address is relative to.</summary>
    public void Add(MemoryInstruction m, SegmentKind segment)
    {
        Append(m.Encode(_layout), m.IsNop ? null : segment);
        var type = m.Opcode == Opcode.Store ? MemoryType.Out : m.MemoryType;
        var bytes = (long)m.XSize * m.YSize * _config.ElementBytes(type);
        var rowCycles = _timing.DmaLatencyCycles + ((((long)m.XSize * _config.ElementBytes(type)) + _busBytes - 1) / _busBytes);
        var pads = ((long)(m.XPad0 + m.XPad1) * (m.YPad0 + m.YSize + m.YPad1)) + ((long)(m.YPad0 + m.YPad1) * m.XSize);
        var cycles = _timing.InstructionOverheadCycles + (m.YSize * rowCycles) + (pads * _timing.PadCyclesPerElement);
        switch (type)
        {
            case MemoryType.Inp:
                (Count.LoadInp, Count.BytesInp, Count.CyclesLoad) = (Count.LoadInp + 1, Count.BytesInp + bytes, Count.CyclesLoad + cycles);
                break;
            case MemoryType.Wgt:
                (Count.LoadWgt, Count.BytesWgt, Count.CyclesLoad) = (Count.LoadWgt + 1, Count.BytesWgt + bytes, Count.CyclesLoad + cycles);
                break;
            case MemoryType.Acc:
                (Count.LoadAcc, Count.BytesAcc, Count.CyclesCompute) = (Count.LoadAcc + 1, Count.BytesAcc + bytes, Count.CyclesCompute + cycles);
                break;
            default:
                (Count.Stores, Count.BytesOut, Count.CyclesStore) = (Count.Stores + 1, Count.BytesOut + bytes, Count.CyclesStore + cycles);
                break;
        }
    }

    /// <summary>A GEMM over kernel <paramref name="kernel"/>, loading the kernel first when it is not resident.</summary>
    public void Gemm(int kernel, MicroOpLoops loops, bool reset)
    {
        var bgn = (uint)Resident(kernel);
        var g = new GemmInstruction(DependencyFlags.None, reset, bgn, bgn + (uint)loops.Uops.Length,
            (uint)loops.Outer.Extent, (uint)loops.Inner.Extent,
            (uint)loops.Outer.Dst, (uint)loops.Inner.Dst, (uint)loops.Outer.Src, (uint)loops.Inner.Src, (uint)loops.Outer.Wgt, (uint)loops.Inner.Wgt);
        Append(g.Encode(_layout), null);
        Count.Gemm++;
        Count.GemmIterations += reset ? 0 : loops.Iterations;
        Count.CyclesCompute += _timing.InstructionOverheadCycles
            + ((long)loops.Outer.Extent * loops.Inner.Extent * ((loops.Uops.Length * _timing.GemmCyclesPerUop) + _timing.GemmPipelineDepth));
    }

    /// <summary>An ALU operation over kernel <paramref name="kernel"/>.</summary>
    public void Alu(int kernel, MicroOpLoops loops, AluOpcode op, bool useImm, int imm)
    {
        var bgn = (uint)Resident(kernel);
        var a = new AluInstruction(DependencyFlags.None, false, bgn, bgn + (uint)loops.Uops.Length,
            (uint)loops.Outer.Extent, (uint)loops.Inner.Extent,
            (uint)loops.Outer.Dst, (uint)loops.Inner.Dst, (uint)loops.Outer.Src, (uint)loops.Inner.Src, op, useImm, (short)imm);
        Append(a.Encode(_layout), null);
        Count.Alu++;
        Count.AluIterations += loops.Iterations;
        Count.CyclesCompute += _timing.InstructionOverheadCycles
            + ((long)loops.Outer.Extent * loops.Inner.Extent * ((loops.Uops.Length * _timing.AluCyclesPerUop) + _timing.AluPipelineDepth));
    }

    /// <summary>
    /// Ends the program as the runtime's <c>Synchronize</c> does (store and load each hand compute a token,
    /// compute waits for both, FINISH) and lays it out in its arena.
    /// </summary>
    public ProgramImage Finish(IReadOnlyDictionary<SegmentKind, long> tensorBytes)
    {
        Append(MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PushPrev).Encode(_layout), null);
        Append(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PushNext).Encode(_layout), null);
        Append(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopPrev | DependencyFlags.PopNext).Encode(_layout), null);
        Append(new FinishInstruction().Encode(_layout), null);
        CountToken(Store, Compute);
        CountToken(Load, Compute);
        Count.Syncs += 3;

        // Lay out the arena, then make every DRAM address relative to the arena instead of its segment.
        var (segments, _) = ProgramImage.PlanArena(_words.Count, _uops.Count, tensorBytes);
        var words = _words.ToArray();
        for (var i = 0; i < words.Length; i++)
        {
            if (_segments[i] is { } kind)
            {
                var m = MemoryInstruction.Decode(_layout, words[i]);
                var type = m.Opcode == Opcode.Store ? MemoryType.Out : m.MemoryType;
                var shift = segments.First(x => x.Kind == kind).Offset / _config.ElementBytes(type);
                words[i] = _layout.DramBase.Insert(words[i], m.DramBase + shift);
            }
        }

        Count.UopHighWater = _uopCache.HighWater;
        Count.Instructions = words.Length;
        return new ProgramImage(_config, words, [.. _uops], _kernels, tensorBytes);
    }

    private int Resident(int kernel)
    {
        var k = _kernels[kernel];
        var begin = _uopCache.Place(kernel, k.Count, out var load);
        if (load)
        {
            var m = MemoryInstruction.Load(MemoryType.Uop, (uint)begin, (uint)k.Start, 1, (uint)k.Count, (uint)k.Count);
            Append(m.Encode(_layout), SegmentKind.MicroOps);
            Count.LoadUop++;
            Count.BytesUop += (long)k.Count * VtaConfig.MicroOpBytes;
            Count.CyclesCompute += _timing.InstructionOverheadCycles + _timing.DmaLatencyCycles + ((((long)k.Count * VtaConfig.MicroOpBytes) + _busBytes - 1) / _busBytes);
        }

        return begin;
    }

    private void Append(InstructionWord word, SegmentKind? segment)
    {
        _words.Add(word);
        _segments.Add(segment);
    }

    private RegionState Region((SharedRegion, int) key)
    {
        if (!_regions.TryGetValue(key, out var state))
        {
            state = new RegionState();
            _regions[key] = state;
        }

        return state;
    }

    private void SetFlag(int instruction, int bit) =>
        _words[instruction] = _words[instruction] with { Low = _words[instruction].Low | (1UL << bit) };

    private static int Index(VtaModule module) => module switch
    {
        VtaModule.Load => Load,
        VtaModule.Compute => Compute,
        VtaModule.Store => Store,
        _ => throw new ArgumentOutOfRangeException(nameof(module)),
    };

    // Dependency bits: pop_prev 3, pop_next 4, push_prev 5, push_next 6; "prev"/"next" are relative to the
    // module that executes the instruction (load < compute < store).
    private static int PopBit(int consumer, int producer) => producer < consumer ? 3 : 4;

    private static int PushBit(int producer, int consumer) => consumer < producer ? 5 : 6;

    private void CountToken(int producer, int consumer)
    {
        switch ((producer, consumer))
        {
            case (Load, Compute):
                Count.TokensL2g++;
                break;
            case (Compute, Load):
                Count.TokensG2l++;
                break;
            case (Compute, Store):
                Count.TokensG2s++;
                break;
            default:
                Count.TokensS2g++;
                break;
        }
    }

    private sealed class RegionState
    {
        public int Writer { get; set; } = -1;
        public int WriterModule { get; set; } = -1;
        public int[] Readers { get; } = [-1, -1, -1];
    }

    /// <summary>What the program contains and the timing model's per-module estimate, gathered while emitting.</summary>
    internal sealed class Counters
    {
        public long Instructions { get; set; }
        public long LoadInp { get; set; }
        public long LoadWgt { get; set; }
        public long LoadUop { get; set; }
        public long LoadAcc { get; set; }
        public long Gemm { get; set; }
        public long Alu { get; set; }
        public long Stores { get; set; }
        public long Syncs { get; set; }
        public long BytesInp { get; set; }
        public long BytesWgt { get; set; }
        public long BytesAcc { get; set; }
        public long BytesUop { get; set; }
        public long BytesOut { get; set; }
        public long GemmIterations { get; set; }
        public long AluIterations { get; set; }
        public long TokensL2g { get; set; }
        public long TokensG2l { get; set; }
        public long TokensG2s { get; set; }
        public long TokensS2g { get; set; }
        public long CyclesLoad { get; set; }
        public long CyclesCompute { get; set; }
        public long CyclesStore { get; set; }
        public int UopKernelMax { get; set; }
        public int UopHighWater { get; set; }
    }
}
