using System.Runtime.CompilerServices;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// The compute module: LOAD UOP and LOAD ACC (its own DMA), GEMM, ALU and FINISH. GEMM and ALU walk their
/// two-level micro-op loops one micro-op per initiation interval, each micro-op reading and writing SRAM at
/// its own modelled cycle; every entry into the micro-op loop pays the pipeline depth.
/// </summary>
internal sealed unsafe class ComputeUnit(Machine machine, CommandQueue commands)
    : ExecutionUnit(VtaModule.Compute, 1, machine, commands)
{
    private enum Work
    {
        None,
        LoadUop,
        LoadAcc,
        Gemm,
        Alu,
    }

    private readonly PaddedLoad _transfer = new();
    private readonly AccumulatorHazard _hazard = new(machine.Board.Hardware.AccHazardWindow, machine.Sram.AccLanes);
    private readonly int _hazardWindow = machine.Board.Hardware.AccHazardWindow;
    private readonly Dictionary<(int Bgn, int End, bool SrcReads), (long Version, bool Hazard)> _kernelHazards = [];
    private long _uopVersion;
    private bool _hazardPossible;
    private Work _work;

    // The micro-op loop of the GEMM or ALU instruction in flight.
    private int _uopBgn;
    private int _uopEnd;
    private int _iterOut;
    private int _iterIn;
    private int _dstOut;
    private int _dstIn;
    private int _srcOut;
    private int _srcIn;
    private int _wgtOut;
    private int _wgtIn;
    private int _i;
    private int _j;
    private int _u;
    private bool _reset;
    private AluOpcode _aluOp;
    private bool _useImm;
    private int _imm;

    // The LOAD UOP in flight.
    private int _uopSramBase;
    private int _uopCount;
    private byte[] _uopDram = [];
    private long _uopDramOffset;
    private ulong _uopAddress;
    private bool _uopInFlight;

    protected override void BeginExecute()
    {
        _work = Work.None;
        switch ((Opcode)Word.OpcodeBits)
        {
            case Opcode.Load:
                BeginLoad(MemoryInstruction.Decode(M.Layout, Word));
                break;
            case Opcode.Gemm:
                BeginGemm(GemmInstruction.Decode(M.Layout, Word));
                break;
            case Opcode.Alu:
                BeginAlu(AluInstruction.Decode(M.Layout, Word));
                break;
            case Opcode.Finish:
                // The compute module raises done when it executes FINISH; the host sees the run end here.
                M.Finished = true;
                M.FinishTime = Time;
                break;
            default:
                // The HLS compute module would silently skip an undefined opcode; a program that contains one is broken.
                throw Fault($"undefined opcode {Word.OpcodeBits}");
        }
    }

    protected override bool Step() => _work switch
    {
        Work.None => true,
        Work.LoadUop => StepLoadUop(),
        Work.LoadAcc => StepTransfer(_transfer, null),
        Work.Gemm => Tracking ? StepGemm<Tracked>() : StepGemm<Untracked>(),
        _ => Tracking ? StepAlu<Tracked>() : StepAlu<Untracked>(),
    };

    /// <summary>
    /// Whether the micro-op loop in flight tracks the accumulator pipeline's in-flight writes (a hazard is possible) or
    /// reports its accesses to the race detector; otherwise its bookkeeping is compiled out.
    /// </summary>
    private bool Tracking => _hazardPossible || M.Races is not null;

    private void BeginLoad(MemoryInstruction m)
    {
        if (m.IsNop)
        {
            return;
        }

        var config = M.Config;
        switch (m.MemoryType)
        {
            case MemoryType.Uop:
                // The HLS design copies x_size micro-ops; y_size, x_stride and the pads have no effect.
                if (m.SramBase + (long)m.XSize > M.Sram.UopDepth)
                {
                    throw Fault($"writes micro-op buffer entries [{m.SramBase}, {m.SramBase + (long)m.XSize}) beyond the board's micro-op buffer depth {M.Sram.UopDepth}");
                }

                (_uopDram, _uopDramOffset) = M.MapExtent(Module, Pc, Time, (ulong)m.DramBase * Config.VtaConfig.MicroOpBytes, (long)m.XSize * Config.VtaConfig.MicroOpBytes);
                _uopSramBase = (int)m.SramBase;
                _uopCount = (int)m.XSize;
                _uopAddress = (ulong)m.DramBase * Config.VtaConfig.MicroOpBytes;
                _uopInFlight = false;
                M.Counters.UopLoadNbytes += (long)m.XSize * Config.VtaConfig.MicroOpBytes;
                _work = Work.LoadUop;
                break;
            case MemoryType.Acc:
                var elements = (long)(m.XPad0 + m.XSize + m.XPad1) * (m.YPad0 + m.YSize + m.YPad1);
                if (m.SramBase + elements > config.AccBuffDepth)
                {
                    throw Fault($"writes accumulator elements [{m.SramBase}, {m.SramBase + elements}) beyond its depth {config.AccBuffDepth}");
                }

                var (dram, offset) = M.MapRows(m, config.AccElemBytes, Module, Pc, Time);
                _transfer.Begin((byte*)M.Sram.AccPtr, config.AccElemBytes, (int)m.SramBase, dram, offset, (ulong)m.DramBase * (ulong)config.AccElemBytes,
                    (long)m.XStride * config.AccElemBytes, (int)m.YPad0, (int)m.YSize, (int)m.YPad1, (int)m.XPad0, (int)m.XSize, (int)m.XPad1);
                M.Counters.AccLoadNbytes += (long)m.XSize * m.YSize * config.AccElemBytes;
                _work = Work.LoadAcc;
                break;
            default:
                var type = Enum.IsDefined(m.MemoryType) ? $"{m.MemoryType.ToString().ToUpperInvariant()} ({(int)m.MemoryType})" : $"{(int)m.MemoryType}";
                throw Fault(m.MemoryType == MemoryType.Acc8Bit
                    ? $"LOAD of memory type {type}: only VTA's functional simulator implements it, the HLS compute module does not"
                    : $"LOAD of memory type {type}: the compute module loads only UOP and ACC");
        }
    }

    private bool StepLoadUop()
    {
        if (Time > LimitTime)
        {
            return false;
        }

        if (!_uopInFlight)
        {
            // The transfer is requested now (below the horizon, so in order on a shared port); its micro-ops land at its end.
            _uopInFlight = true;
            Time = M.Dma(Time, (long)_uopCount * Config.VtaConfig.MicroOpBytes, _uopAddress, write: false);
            if (Time > LimitTime)
            {
                return false;
            }
        }

        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(
            _uopDram.AsSpan((int)_uopDramOffset, _uopCount * Config.VtaConfig.MicroOpBytes));
        for (var k = 0; k < words.Length; k++)
        {
            M.Sram.SetUop(_uopSramBase + k, words[k]);
        }

        _uopVersion++;

        return true;
    }

    private void BeginLoop(uint uopBgn, uint uopEnd, uint iterOut, uint iterIn)
    {
        _uopBgn = (int)uopBgn;
        _uopEnd = (int)uopEnd;
        _iterOut = (int)iterOut;
        _iterIn = (int)iterIn;
        _i = _j = 0;
        _u = _uopBgn;
        _hazard.Clear();
        if (_uopEnd > M.Sram.UopDepth && _uopEnd > _uopBgn)
        {
            throw Fault($"reads micro-ops [{_uopBgn}, {_uopEnd}) beyond the board's micro-op buffer depth {M.Sram.UopDepth}");
        }
    }

    private bool HasLoop => _uopEnd > _uopBgn && _iterOut > 0 && _iterIn > 0;

    private void BeginGemm(GemmInstruction g)
    {
        BeginLoop(g.UopBgn, g.UopEnd, g.IterOut, g.IterIn);
        (_dstOut, _dstIn, _srcOut, _srcIn, _wgtOut, _wgtIn) =
            ((int)g.DstFactorOut, (int)g.DstFactorIn, (int)g.SrcFactorOut, (int)g.SrcFactorIn, (int)g.WgtFactorOut, (int)g.WgtFactorIn);
        _reset = g.ResetReg;
        if (_reset)
        {
            M.Races?.ResetGemm(Pc);
        }

        _hazardPossible = HasLoop && HazardPossible(srcReads: false);
        if (HasLoop)
        {
            if (!_reset)
            {
                M.Counters.GemmCounter += g.UopIterations;
            }

            _work = Work.Gemm;
        }
    }

    private void BeginAlu(AluInstruction a)
    {
        if (a.AluOpcode > AluOpcode.Shr)
        {
            var name = Enum.IsDefined(a.AluOpcode) ? $"{a.AluOpcode.ToString().ToUpperInvariant()} ({(int)a.AluOpcode})" : $"{(int)a.AluOpcode}";
            throw Fault($"ALU opcode {name}: the HLS ALU implements only MIN, MAX, ADD and SHR");
        }

        BeginLoop(a.UopBgn, a.UopEnd, a.IterOut, a.IterIn);
        (_dstOut, _dstIn, _srcOut, _srcIn) = ((int)a.DstFactorOut, (int)a.DstFactorIn, (int)a.SrcFactorOut, (int)a.SrcFactorIn);
        _aluOp = a.AluOpcode;
        _useImm = a.UseImm;
        _imm = a.Imm;
        _hazardPossible = HasLoop && HazardPossible(srcReads: !a.UseImm);
        if (HasLoop)
        {
            M.Counters.AluCounter += a.UopIterations;
            _work = Work.Alu;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool StepGemm<TTracking>()
        where TTracking : struct, ITracking
    {
        var sram = M.Sram;
        var config = M.Config;
        var kernel = new GemmKernel<TTracking>
        {
            Unit = this,
            Sram = sram,
            Inp = sram.InpPtr,
            Wgt = sram.WgtPtr,
            Acc = sram.AccPtr,
            Output = sram.OutPtr,
            Pairs = sram.WgtPairsPtr,
            Stale = sram.WgtPairsStalePtr,
            InpLanes = sram.InpLanes,
            WgtLanes = sram.WgtLanes,
            AccLanes = sram.AccLanes,
            InpDepth = sram.InpDepth,
            WgtDepth = sram.WgtDepth,
            AccDepth = sram.AccDepth,
            Batch = config.Batch,
            Block = config.BlockIn,
            Reset = _reset,
        };
        return Walk(kernel, M.Timing.GemmMicroOp, M.Timing.GemmDrain);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool StepAlu<TTracking>()
        where TTracking : struct, ITracking
    {
        var sram = M.Sram;
        var kernel = new AluKernel<TTracking>
        {
            Unit = this,
            Acc = sram.AccPtr,
            Output = sram.OutPtr,
            Lanes = sram.AccLanes,
            AccDepth = sram.AccDepth,
            Op = _aluOp,
            UseImm = _useImm,
            Imm = _imm,
        };
        return Walk(kernel, M.Timing.AluMicroOp, M.Timing.AluDrain);
    }

    /// <summary>
    /// The two-level micro-op loop of the GEMM or ALU instruction in flight, one micro-op per initiation interval
    /// <paramref name="ii"/> and the pipeline's <paramref name="depth"/> at the end of every pass over the kernel, each
    /// micro-op's datapath being <paramref name="kernel"/>'s. The loop state lives in locals, written back when the walk
    /// reaches the horizon (false) or faults; a struct kernel makes the JIT compile one loop per kernel, with the kernel
    /// inlined.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Walk<TKernel>(TKernel kernel, long ii, long depth)
        where TKernel : struct, IMicroOpKernel
    {
        var sram = M.Sram;
        var (limit, time) = (LimitTime, Time);
        var (i, j, u, uopBgn, uopEnd, iterOut, iterIn) = (_i, _j, _u, _uopBgn, _uopEnd, _iterOut, _iterIn);
        fixed (int* uopDst = sram.UopDst, uopSrc = sram.UopSrc, uopWgt = sram.UopWgt)
        {
            for (; i < iterOut; i++, j = 0)
            {
                for (; j < iterIn; j++, u = uopBgn, time += depth)
                {
                    var dOff = (i * _dstOut) + (j * _dstIn);
                    var sOff = (i * _srcOut) + (j * _srcIn);
                    var wOff = TKernel.ReadsWeights ? (i * _wgtOut) + (j * _wgtIn) : 0;
                    for (; u < uopEnd; u++, time += ii)
                    {
                        if (time > limit)
                        {
                            (_i, _j, _u, Time) = (i, j, u, time);
                            return false;
                        }

                        var d = uopDst[u] + dOff;
                        var s = uopSrc[u] + sOff;
                        var w = TKernel.ReadsWeights ? uopWgt[u] + wOff : 0;
                        if (!kernel.InRange(d, s, w))
                        {
                            (_i, _j, _u, Time) = (i, j, u, time);
                            throw Fault(kernel.IndexFault(d, s, w));
                        }

                        kernel.Apply(d, s, w);
                    }

                    // The pipeline drains at the end of every pass over the kernel (the timing model charges it): no
                    // write is still in flight when the next pass reads.
                    if (kernel.Tracks)
                    {
                        _hazard.Clear();
                    }
                }
            }
        }

        (_i, _j, _u, Time) = (i, j, u, time);
        return true;
    }

    /// <summary>Whether a micro-op loop tracks in-flight accumulator writes and reports to the race detector (<see cref="Tracking"/>).</summary>
    private interface ITracking
    {
        static abstract bool On { get; }
    }

    private readonly struct Tracked : ITracking
    {
        public static bool On => true;
    }

    private readonly struct Untracked : ITracking
    {
        public static bool On => false;
    }

    /// <summary>One micro-op's datapath at accumulator (destination) <c>d</c>, source <c>s</c> and weight <c>w</c>, for <see cref="Walk"/>.</summary>
    private interface IMicroOpKernel
    {
        /// <summary>Whether the micro-op reads weights (else <c>w</c> is 0 and its index fields are not read).</summary>
        static abstract bool ReadsWeights { get; }

        /// <summary>Whether the walk tracks in-flight writes (clears them when the pipeline drains).</summary>
        bool Tracks { get; }

        bool InRange(int d, int s, int w);

        string IndexFault(int d, int s, int w);

        void Apply(int d, int s, int w);
    }

    private struct GemmKernel<TTracking> : IMicroOpKernel
        where TTracking : struct, ITracking
    {
        public ComputeUnit Unit;
        public OnChipMemory Sram;
        public sbyte* Inp;
        public sbyte* Wgt;
        public int* Acc;
        public sbyte* Output;
        public short* Pairs;
        public bool* Stale;
        public long InpLanes;
        public long WgtLanes;
        public long AccLanes;
        public int InpDepth;
        public int WgtDepth;
        public int AccDepth;
        public int Batch;
        public int Block;
        public bool Reset;

        public static bool ReadsWeights => true;

        public readonly bool Tracks => TTracking.On;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool InRange(int d, int s, int w) => (uint)d < (uint)AccDepth && (uint)s < (uint)InpDepth && (uint)w < (uint)WgtDepth;

        public readonly string IndexFault(int d, int s, int w) =>
            Unit.IndexFault(d, AccDepth, "accumulator", s, InpDepth, "input", w, WgtDepth);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Apply(int d, int s, int w)
        {
            if (Stale[w])
            {
                Sram.PairAgain(w);
            }

            var accD = Acc + (d * AccLanes);
            var accIn = accD;
            if (TTracking.On && Unit._hazardPossible)
            {
                accIn = Unit._hazard.Read(d, Acc);
                Unit._hazard.Writing(d, Acc);
            }

            GemmCore.Uop(Inp + (s * InpLanes), Wgt + (w * WgtLanes), Pairs + (w * WgtLanes), accIn, accD, Output + (d * AccLanes), Batch, Block, Reset);
            if (TTracking.On && Unit.M.Races is { } races)
            {
                races.Read(SharedBuffer.Inp, s, 1, Unit.Module, Unit.Pc, Unit.Clock);
                races.Read(SharedBuffer.Wgt, w, 1, Unit.Module, Unit.Pc, Unit.Clock);
                races.Write(SharedBuffer.Out, d, 1, Unit.Module, Unit.Pc, Unit.Clock);
            }
        }
    }

    private struct AluKernel<TTracking> : IMicroOpKernel
        where TTracking : struct, ITracking
    {
        public ComputeUnit Unit;
        public int* Acc;
        public sbyte* Output;
        public int Lanes;
        public int AccDepth;
        public AluOpcode Op;
        public bool UseImm;
        public int Imm;

        public static bool ReadsWeights => false;

        public readonly bool Tracks => TTracking.On;

        /// <summary>With an immediate operand the source index is not used (the destination is read instead).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool InRange(int d, int s, int w) => (uint)d < (uint)AccDepth && (UseImm || (uint)s < (uint)AccDepth);

        public readonly string IndexFault(int d, int s, int w) =>
            Unit.IndexFault(d, AccDepth, "accumulator", UseImm ? 0 : s, AccDepth, "accumulator (source)", 0, 1);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Apply(int d, int s, int w)
        {
            var dst = Acc + ((long)d * Lanes);
            var dstIn = dst;
            var src = Acc + ((long)(UseImm ? d : s) * Lanes);
            if (TTracking.On && Unit._hazardPossible)
            {
                dstIn = Unit._hazard.Read(d, Acc);
                src = UseImm ? dstIn : Unit._hazard.Read(s, Acc);
                Unit._hazard.Writing(d, Acc);
            }

            AluCore.Uop(dstIn, src, dst, Output + ((long)d * Lanes), Lanes, Op, UseImm, Imm);
            if (TTracking.On)
            {
                Unit.M.Races?.Write(SharedBuffer.Out, d, 1, Unit.Module, Unit.Pc, Unit.Clock);
            }
        }
    }

    /// <summary>
    /// Whether any micro-op of the instruction in flight reads an accumulator that one of the previous
    /// <c>acc_hazard_window</c> micro-ops wrote. Only then does the simulator track the pipeline's in-flight
    /// writes. Only within one pass over the kernel: the pipeline drains between passes (vta.cc pipelines the
    /// innermost micro-op loop alone), so a write of one pass has landed before the next reads. The answer depends
    /// on the kernel alone (cached until micro-ops are reloaded).
    /// </summary>
    private bool HazardPossible(bool srcReads)
    {
        var window = _hazardWindow;
        if (window == 0)
        {
            return false;
        }

        var sram = M.Sram;
        var key = (_uopBgn, _uopEnd, srcReads);
        if (!_kernelHazards.TryGetValue(key, out var cached) || cached.Version != _uopVersion)
        {
            var hazard = false;
            for (var u = _uopBgn + 1; u < _uopEnd && !hazard; u++)
            {
                for (var back = 1; back <= window && u - back >= _uopBgn; back++)
                {
                    var written = sram.UopDst[u - back];
                    if (sram.UopDst[u] == written || (srcReads && sram.UopSrc[u] == written))
                    {
                        hazard = true;
                        break;
                    }
                }
            }

            cached = (_uopVersion, hazard);
            _kernelHazards[key] = cached;
        }

        return cached.Hazard;
    }

    private string IndexFault(int d, int dDepth, string dName, int s, int sDepth, string sName, int w, int wDepth)
    {
        var where = $"micro-op {_u} at iteration ({_i}, {_j})";
        return (uint)d >= (uint)dDepth ? $"{where} indexes {dName} element {d}, beyond its depth {dDepth}"
            : (uint)s >= (uint)sDepth ? $"{where} indexes {sName} element {s}, beyond its depth {sDepth}"
            : $"{where} indexes weight element {w}, beyond its depth {wDepth}";
    }
}
