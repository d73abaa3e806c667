using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;
using HilTuner.Vta.Timing;

namespace HilTuner.Compiler.Lowering;

/// <summary>
/// Assembles a lowered schedule into a program: places micro-op kernels through the runtime's cache, inserts
/// the dependency tokens that order every pair of accesses two modules make to a shared SRAM region (what
/// TVM's <c>CoProcSync</c> and VTA's runtime do together), and encodes instructions as they are emitted.
/// </summary>
/// <remarks>
/// <para>Instructions and micro-ops are encoded as VTA's runtime encodes them: runtime.cc (<c>LoadBuffer2D</c>,
/// <c>StoreBuffer2D</c>, <c>PushGEMMOp</c>, <c>PushALUUop</c>, <c>UopKernel::Push</c>) assigns each value to a bit-field of
/// hw_spec.h without a check, and nothing in TVM's lowering (vta/python/vta/transform.py) bounds them either, so a
/// value too wide for its field keeps its low bits and the accelerator runs the instruction that results.</para>
/// <para>Use: register every micro-op kernel (<see cref="AddKernel"/>), lay out the arena
/// (<see cref="LayOut"/>), then emit. Every address is final when emitted: the instruction stream is the
/// arena's last segment. Instructions are encoded once per shape (<see cref="Template"/>) and patched per use.</para>
/// <para>Work is grouped into <em>operations</em> — consecutive instructions of one module acting as one statement
/// (a load, a GEMM with its micro-op load, an ALU op). An operation that reads or writes a region another
/// module wrote or read last waits for the latest such operation: it pops one token on its first instruction
/// from that module's queue, and that operation pushes one on its last instruction. Waits already implied by
/// an earlier pop of the same module are skipped, so tokens pair up in order and none is left over.</para>
/// </remarks>
internal sealed class ProgramBuilder
{
    private const int Load = 0, Compute = 1, Store = 2;
    private const int MaxThreads = 8;
    private const int DramBaseShift = 26;

    private readonly IsaLayout _layout;
    private readonly VtaConfig _config;
    private readonly TimingModel _timing;
    private readonly List<InstructionWord> _words;
    private readonly List<long> _wordCycles;
    private readonly int _commandQueueDepth;
    private readonly List<int> _opLast;
    private readonly RegionState[] _regions = new RegionState[3 * MaxThreads];
    private readonly int[] _covered = [-1, -1, -1, -1, -1, -1, -1, -1, -1];
    private readonly List<uint> _uops = [];
    private readonly List<MicroOpKernel> _kernels = [];
    private readonly List<KernelUse> _uses = [];
    private readonly UopCache _uopCache;
    private readonly long[] _segmentElementBase = new long[6 * 8];
    private IReadOnlyDictionary<SegmentKind, long>? _tensorBytes;
    private int _opFirst = -1;
    private int _opModuleCurrent;

    /// <param name="board">The board whose configuration and timing the program is built for.</param>
    /// <param name="expectedInstructions">A hint: about how many instructions the program will have.</param>
    public ProgramBuilder(Board board, int expectedInstructions = 0)
    {
        _words = new List<InstructionWord>(expectedInstructions + 8);
        _wordCycles = new List<long>(expectedInstructions + 8);
        _commandQueueDepth = board.Hardware.CommandQueueDepth;
        _opLast = new List<int>(expectedInstructions + 8);
        _layout = board.Isa;
        _config = board.Vta;
        _timing = new TimingModel(board);
        _uopCache = new UopCache(_config.UopBuffDepth);
        for (var i = 0; i < _regions.Length; i++)
        {
            _regions[i] = new RegionState();
        }
    }

    public Counters Count { get; } = new();

    /// <summary>
    /// Registers a micro-op kernel; returns its id. Its micro-ops go to the micro-op segment once. A kernel larger than
    /// the micro-op buffer is registered too: TVM builds it, and the runtime refuses it when it loads the kernel
    /// (<c>UopQueue::Push</c>, <see cref="RuntimeChecks"/>).
    /// </summary>
    public int AddKernel(string name, MicroOp[] uops)
    {
        if (_tensorBytes is not null)
        {
            throw new InvalidOperationException("kernels are registered before the arena is laid out");
        }

        var start = _uops.Count;
        foreach (var uop in uops)
        {
            _uops.Add(uop.Encode(_layout, truncate: true));
        }

        _kernels.Add(new MicroOpKernel(name, start, uops.Length));
        _uses.Add(new KernelUse(-1, default, 0, 0));
        Count.UopKernelMax = Math.Max(Count.UopKernelMax, uops.Length);
        return _kernels.Count - 1;
    }

    /// <summary>Fixes the arena's layout: from here on every DRAM address is final.</summary>
    public void LayOut(IReadOnlyDictionary<SegmentKind, long> tensorBytes)
    {
        _tensorBytes = tensorBytes;
        var (segments, _) = ProgramImage.PlanArena(0, _uops.Count, tensorBytes);
        foreach (var segment in segments)
        {
            foreach (var type in Enum.GetValues<MemoryType>().Where(t => t != MemoryType.Acc8Bit))
            {
                _segmentElementBase[((int)segment.Kind * 8) + (int)type] = segment.Offset / _config.ElementBytes(type);
            }
        }
    }

    /// <summary>Encodes a LOAD or STORE once (its <c>dram_base</c> is ignored) for repeated emission.</summary>
    public MemoryTemplate Template(MemoryInstruction m, SegmentKind segment)
    {
        var type = m.Opcode == Opcode.Store ? MemoryType.Out : m.MemoryType;
        var elementBytes = _config.ElementBytes(type);
        var word = (m with { DramBase = 0 }).Encode(_layout, truncate: true);
        var encoded = MemoryInstruction.Decode(_layout, word);
        var bytes = (long)encoded.XSize * encoded.YSize * elementBytes;
        return new MemoryTemplate(word, segment, type, bytes, TransferCycles(encoded, elementBytes)) { Rows = encoded.IsNop ? 0 : encoded.YSize };
    }

    /// <summary>Emits <paramref name="t"/> at element <paramref name="element"/> of its segment.</summary>
    public void Add(in MemoryTemplate t, long element)
    {
        var dram = _segmentElementBase[((int)t.Segment * 8) + (int)t.Type] + element;
        var word = t.Word with { Low = t.Word.Low | (((ulong)dram & _layout.DramBase.Mask) << DramBaseShift) };
        // Where a row starts matters only when its bursts can wait on the outstanding bound; the arena is page
        // aligned, so an offset in it is as far from a 4 KB boundary as the physical address is.
        var cycles = _timing.AddressMatters ? TransferCycles(MemoryInstruction.Decode(_layout, word), _config.ElementBytes(t.Type)) : t.Cycles;
        Emit(word, cycles);
        if (t.Rows > 0)
        {
            // Every row's bursts as the first row's (rows of one instruction share their length and stride).
            Count.DmaBursts += t.Rows * _timing.Bursts(t.Bytes / t.Rows, (ulong)dram * (ulong)_config.ElementBytes(t.Type));
        }

        switch (t.Type)
        {
            case MemoryType.Inp:
                Count.LoadInp++;
                Count.BytesInp += t.Bytes;
                Count.RowsLoad += t.Rows;
                Count.CyclesLoad += cycles;
                break;
            case MemoryType.Wgt:
                Count.LoadWgt++;
                Count.BytesWgt += t.Bytes;
                Count.RowsLoad += t.Rows;
                Count.CyclesLoad += cycles;
                break;
            case MemoryType.Acc:
                Count.LoadAcc++;
                Count.BytesAcc += t.Bytes;
                Count.RowsCompute += t.Rows;
                Count.CyclesCompute += cycles;
                break;
            default:
                Count.Stores++;
                Count.BytesOut += t.Bytes;
                Count.RowsStore += t.Rows;
                Count.CyclesStore += cycles;
                break;
        }
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
            if (needed[producer] > _covered[(me * 3) + producer])
            {
                _covered[(me * 3) + producer] = needed[producer];
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
            state.Readers[0] = state.Readers[1] = state.Readers[2] = -1;
        }

        _opLast.Add(_words.Count - 1);
    }

    /// <summary>A GEMM over kernel <paramref name="kernel"/> (always with the same loops), loading the kernel first when it is not resident.</summary>
    public void Gemm(int kernel, MicroOpLoops loops, bool reset)
    {
        var use = Use(kernel);
        if (use.Word.Low == 0 && use.Word.High == 0)
        {
            var g = new GemmInstruction(DependencyFlags.None, new MicroOpLoop(reset, (uint)use.Begin, (uint)(use.Begin + loops.Uops.Length),
                (uint)loops.Outer.Extent, (uint)loops.Inner.Extent,
                (uint)loops.Outer.Dst, (uint)loops.Inner.Dst), (uint)loops.Outer.Src, (uint)loops.Inner.Src, (uint)loops.Outer.Wgt, (uint)loops.Inner.Wgt);
            var cycles = _timing.GemmOverhead + _timing.Gemm((long)loops.Outer.Extent * loops.Inner.Extent, loops.Uops.Length);
            use = _uses[kernel] = use with { Word = g.Encode(_layout, truncate: true), Cycles = cycles, Iterations = reset ? 0 : loops.Iterations };
        }

        Emit(use.Word, use.Cycles);
        Count.Gemm++;
        Count.GemmIterations += use.Iterations;
        Count.CyclesCompute += use.Cycles;
    }

    /// <summary>An ALU operation over kernel <paramref name="kernel"/> (always with the same loops and operation).</summary>
    public void Alu(int kernel, MicroOpLoops loops, AluOpcode op, bool useImm, int imm)
    {
        var use = Use(kernel);
        if (use.Word.Low == 0 && use.Word.High == 0)
        {
            var a = new AluInstruction(DependencyFlags.None, new MicroOpLoop(false, (uint)use.Begin, (uint)(use.Begin + loops.Uops.Length),
                (uint)loops.Outer.Extent, (uint)loops.Inner.Extent,
                (uint)loops.Outer.Dst, (uint)loops.Inner.Dst), (uint)loops.Outer.Src, (uint)loops.Inner.Src, op, useImm, (short)imm);
            var cycles = _timing.AluOverhead + _timing.Alu((long)loops.Outer.Extent * loops.Inner.Extent, loops.Uops.Length);
            use = _uses[kernel] = use with { Word = a.Encode(_layout, truncate: true), Cycles = cycles, Iterations = loops.Iterations };
        }

        Emit(use.Word, use.Cycles);
        Count.Alu++;
        Count.AluIterations += use.Iterations;
        Count.CyclesCompute += use.Cycles;
    }

    /// <summary>
    /// Ends the program as the runtime's <c>Synchronize</c> does (store and load each hand compute a token,
    /// compute waits for both, FINISH).
    /// </summary>
    public ProgramImage Finish()
    {
        Emit(MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PushPrev).Encode(_layout), _timing.InstructionOverhead);
        Emit(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PushNext).Encode(_layout), _timing.InstructionOverhead);
        Emit(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopPrev | DependencyFlags.PopNext).Encode(_layout), _timing.InstructionOverhead);
        Emit(new FinishInstruction().Encode(_layout), _timing.InstructionOverhead);
        CountToken(Store, Compute);
        CountToken(Load, Compute);
        Count.Syncs += 3;
        Count.CyclesStore += _timing.InstructionOverhead;
        Count.CyclesLoad += _timing.InstructionOverhead;
        Count.CyclesCompute += 2 * _timing.InstructionOverhead;
        Count.UopHighWater = _uopCache.HighWater;
        Count.Instructions = _words.Count;
        Count.CyclesCritical = ModuleSchedule.CriticalPath(_words, _wordCycles, _timing, _layout, _commandQueueDepth);
        return new ProgramImage(_config, _words, [.. _uops], _kernels,
            _tensorBytes ?? throw new InvalidOperationException("LayOut before Finish"));
    }

    /// <summary>Where kernel <paramref name="kernel"/> sits now, emitting its LOAD UOP when it must be brought in.</summary>
    private KernelUse Use(int kernel)
    {
        var k = _kernels[kernel];
        var begin = _uopCache.Place(kernel, k.Count, out var load);
        if (load)
        {
            var dram = _segmentElementBase[((int)SegmentKind.MicroOps * 8) + (int)MemoryType.Uop] + k.Start;
            var cycles = _timing.LoadOverhead + _timing.MicroOpLoad(k.Count, (ulong)dram * VtaConfig.MicroOpBytes);
            Emit(MemoryInstruction.Load(MemoryType.Uop, (uint)begin, (uint)dram, 1, (uint)k.Count, (uint)k.Count).Encode(_layout, truncate: true), cycles);
            Count.LoadUop++;
            Count.BytesUop += (long)k.Count * VtaConfig.MicroOpBytes;
            Count.RowsCompute++;
            Count.DmaBursts += _timing.Bursts((long)k.Count * VtaConfig.MicroOpBytes, (ulong)dram * VtaConfig.MicroOpBytes);
            Count.CyclesCompute += cycles;
        }

        var use = _uses[kernel];
        if (use.Begin != begin)
        {
            use = _uses[kernel] = new KernelUse(begin, default, 0, 0);
        }

        return use;
    }

    /// <summary>Appends an instruction and what it costs its module (for the critical path).</summary>
    private void Emit(InstructionWord word, long cycles)
    {
        _words.Add(word);
        _wordCycles.Add(cycles);
    }

    /// <summary>A LOAD or STORE's cycles on its module: its fixed cost and its transfer.</summary>
    private long TransferCycles(MemoryInstruction m, int elementBytes) =>
        _timing.Overhead(m.Opcode, m.IsNop) + _timing.Transfer(m, elementBytes);

    private RegionState Region((SharedRegion Region, int Thread) key) => _regions[((int)key.Region * MaxThreads) + key.Thread];

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

    /// <summary>A kernel's current place in the micro-op buffer and its instruction encoded for that place.</summary>
    private readonly record struct KernelUse(int Begin, InstructionWord Word, long Cycles, long Iterations);

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
        public long CyclesCritical { get; set; }
        public long RowsLoad { get; set; }
        public long RowsCompute { get; set; }
        public long RowsStore { get; set; }
        public long DmaBursts { get; set; }
        public int UopKernelMax { get; set; }
        public int UopHighWater { get; set; }
    }
}
