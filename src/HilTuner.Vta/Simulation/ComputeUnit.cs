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
        Work.LoadAcc => StepLoadAcc(),
        Work.Gemm => _hazardPossible || M.Races is not null ? StepGemm() : StepGemmFast(),
        _ => _hazardPossible || M.Races is not null ? StepAlu() : StepAluFast(),
    };

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

    private bool StepLoadAcc()
    {
        var limit = LimitTime;
        while (_transfer.HasStep)
        {
            if (Time > limit)
            {
                return false;
            }

            if (!_transfer.InFlight)
            {
                Time = _transfer.Start(M, Time);
                continue;
            }

            _transfer.Apply();
        }

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
    private bool StepGemm()
    {
        var sram = M.Sram;
        var config = M.Config;
        var (inpDepth, wgtDepth, accDepth) = (sram.InpDepth, sram.WgtDepth, sram.AccDepth);
        var (inpLanes, wgtLanes, accLanes) = (sram.InpLanes, sram.WgtLanes, sram.AccLanes);
        var inp = sram.InpPtr;
        var wgt = sram.WgtPtr;
        var acc = sram.AccPtr;
        var output = sram.OutPtr;
        var (batch, block) = (config.Batch, config.BlockIn);
        var ii = M.Timing.GemmMicroOp;
        var depth = M.Timing.GemmDrain;
        var races = M.Races;
        var limit = LimitTime;
        var time = Time;
        fixed (int* uopDst = sram.UopDst, uopSrc = sram.UopSrc, uopWgt = sram.UopWgt)
        {
            while (_i < _iterOut)
            {
                while (_j < _iterIn)
                {
                    var dOff = (_i * _dstOut) + (_j * _dstIn);
                    var sOff = (_i * _srcOut) + (_j * _srcIn);
                    var wOff = (_i * _wgtOut) + (_j * _wgtIn);
                    while (_u < _uopEnd)
                    {
                        if (time > limit)
                        {
                            Time = time;
                            return false;
                        }

                        var d = uopDst[_u] + dOff;
                        var s = uopSrc[_u] + sOff;
                        var w = uopWgt[_u] + wOff;
                        if ((uint)d >= (uint)accDepth || (uint)s >= (uint)inpDepth || (uint)w >= (uint)wgtDepth)
                        {
                            Time = time;
                            throw Fault(IndexFault(d, accDepth, "accumulator", s, inpDepth, "input", w, wgtDepth));
                        }

                        var accIn = acc + ((long)d * accLanes);
                        if (_hazardPossible)
                        {
                            accIn = _hazard.Read(d, acc);
                            _hazard.Writing(d, acc);
                        }

                        GemmCore.Uop(inp + ((long)s * inpLanes), wgt + ((long)w * wgtLanes), sram.PairedWeights(w), accIn, acc + ((long)d * accLanes), output + ((long)d * accLanes), batch, block, _reset);
                        if (races is not null)
                        {
                            races.Read(SharedBuffer.Inp, s, 1, Module, Pc, Clock);
                            races.Read(SharedBuffer.Wgt, w, 1, Module, Pc, Clock);
                            races.Write(SharedBuffer.Out, d, 1, Module, Pc, Clock);
                        }

                        time += ii;
                        _u++;
                    }

                    _u = _uopBgn;
                    _j++;
                    time += depth;

                    // The pipeline drains at the end of every pass over the kernel (the timing model charges it): no
                    // write is still in flight when the next pass reads.
                    _hazard.Clear();
                }

                _j = 0;
                _i++;
            }
        }

        Time = time;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool StepAlu()
    {
        var sram = M.Sram;
        var accDepth = sram.AccDepth;
        var lanes = sram.AccLanes;
        var acc = sram.AccPtr;
        var output = sram.OutPtr;
        var ii = M.Timing.AluMicroOp;
        var depth = M.Timing.AluDrain;
        var races = M.Races;
        var limit = LimitTime;
        var time = Time;
        fixed (int* uopDst = sram.UopDst, uopSrc = sram.UopSrc)
        {
            while (_i < _iterOut)
            {
                while (_j < _iterIn)
                {
                    var dOff = (_i * _dstOut) + (_j * _dstIn);
                    var sOff = (_i * _srcOut) + (_j * _srcIn);
                    while (_u < _uopEnd)
                    {
                        if (time > limit)
                        {
                            Time = time;
                            return false;
                        }

                        var d = uopDst[_u] + dOff;
                        var s = uopSrc[_u] + sOff;
                        if ((uint)d >= (uint)accDepth || (!_useImm && (uint)s >= (uint)accDepth))
                        {
                            Time = time;
                            throw Fault(IndexFault(d, accDepth, "accumulator", _useImm ? 0 : s, accDepth, "accumulator (source)", 0, 1));
                        }

                        var dstIn = acc + ((long)d * lanes);
                        var srcIn = acc + ((long)(_useImm ? d : s) * lanes);
                        if (_hazardPossible)
                        {
                            dstIn = _hazard.Read(d, acc);
                            srcIn = _useImm ? dstIn : _hazard.Read(s, acc);
                            _hazard.Writing(d, acc);
                        }

                        AluCore.Uop(dstIn, srcIn, acc + ((long)d * lanes), output + ((long)d * lanes), lanes, _aluOp, _useImm, _imm);
                        races?.Write(SharedBuffer.Out, d, 1, Module, Pc, Clock);
                        time += ii;
                        _u++;
                    }

                    _u = _uopBgn;
                    _j++;
                    time += depth;

                    // The pipeline drains at the end of every pass over the kernel (the timing model charges it): no
                    // write is still in flight when the next pass reads.
                    _hazard.Clear();
                }

                _j = 0;
                _i++;
            }
        }

        Time = time;
        return true;
    }

    /// <summary>
    /// <see cref="StepGemm"/> when no accumulator hazard is possible and no race detector listens: the same walk and the
    /// same clock, with the loop state in locals, so that the vector kernel, not the bookkeeping, sets the pace.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool StepGemmFast()
    {
        var sram = M.Sram;
        var config = M.Config;
        var (inpDepth, wgtDepth, accDepth) = (sram.InpDepth, sram.WgtDepth, sram.AccDepth);
        var (inpLanes, wgtLanes, accLanes) = ((long)sram.InpLanes, (long)sram.WgtLanes, (long)sram.AccLanes);
        var inp = sram.InpPtr;
        var wgt = sram.WgtPtr;
        var acc = sram.AccPtr;
        var output = sram.OutPtr;
        var pairs = sram.WgtPairsPtr;
        var stale = sram.WgtPairsStalePtr;
        var (batch, block) = (config.Batch, config.BlockIn);
        var (ii, depth, limit, time, reset) = ((long)M.Timing.GemmMicroOp, (long)M.Timing.GemmDrain, LimitTime, Time, _reset);
        var (i, j, u, uopBgn, uopEnd, iterOut, iterIn) = (_i, _j, _u, _uopBgn, _uopEnd, _iterOut, _iterIn);
        fixed (int* uopDst = sram.UopDst, uopSrc = sram.UopSrc, uopWgt = sram.UopWgt)
        {
            for (; i < iterOut; i++, j = 0)
            {
                for (; j < iterIn; j++, u = uopBgn, time += depth)
                {
                    var dOff = (i * _dstOut) + (j * _dstIn);
                    var sOff = (i * _srcOut) + (j * _srcIn);
                    var wOff = (i * _wgtOut) + (j * _wgtIn);
                    for (; u < uopEnd; u++, time += ii)
                    {
                        if (time > limit)
                        {
                            (_i, _j, _u, Time) = (i, j, u, time);
                            return false;
                        }

                        var d = uopDst[u] + dOff;
                        var s = uopSrc[u] + sOff;
                        var w = uopWgt[u] + wOff;
                        if ((uint)d >= (uint)accDepth || (uint)s >= (uint)inpDepth || (uint)w >= (uint)wgtDepth)
                        {
                            (_i, _j, _u, Time) = (i, j, u, time);
                            throw Fault(IndexFault(d, accDepth, "accumulator", s, inpDepth, "input", w, wgtDepth));
                        }

                        if (stale[w])
                        {
                            sram.PairAgain(w);
                        }

                        var accD = acc + (d * accLanes);
                        GemmCore.Uop(inp + (s * inpLanes), wgt + (w * wgtLanes), pairs + (w * wgtLanes), accD, accD, output + (d * accLanes), batch, block, reset);
                    }
                }
            }
        }

        (_i, _j, _u, Time) = (i, j, u, time);
        return true;
    }

    /// <summary><see cref="StepAlu"/> when no accumulator hazard is possible and no race detector listens (see <see cref="StepGemmFast"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool StepAluFast()
    {
        var sram = M.Sram;
        var accDepth = sram.AccDepth;
        var lanes = sram.AccLanes;
        var acc = sram.AccPtr;
        var output = sram.OutPtr;
        var (ii, depth, limit, time) = ((long)M.Timing.AluMicroOp, (long)M.Timing.AluDrain, LimitTime, Time);
        var (op, useImm, imm) = (_aluOp, _useImm, _imm);
        var (i, j, u, uopBgn, uopEnd, iterOut, iterIn) = (_i, _j, _u, _uopBgn, _uopEnd, _iterOut, _iterIn);
        fixed (int* uopDst = sram.UopDst, uopSrc = sram.UopSrc)
        {
            for (; i < iterOut; i++, j = 0)
            {
                for (; j < iterIn; j++, u = uopBgn, time += depth)
                {
                    var dOff = (i * _dstOut) + (j * _dstIn);
                    var sOff = (i * _srcOut) + (j * _srcIn);
                    for (; u < uopEnd; u++, time += ii)
                    {
                        if (time > limit)
                        {
                            (_i, _j, _u, Time) = (i, j, u, time);
                            return false;
                        }

                        var d = uopDst[u] + dOff;
                        var s = useImm ? d : uopSrc[u] + sOff;
                        if ((uint)d >= (uint)accDepth || (uint)s >= (uint)accDepth)
                        {
                            (_i, _j, _u, Time) = (i, j, u, time);
                            throw Fault(IndexFault(d, accDepth, "accumulator", s, accDepth, "accumulator (source)", 0, 1));
                        }

                        var dst = acc + ((long)d * lanes);
                        AluCore.Uop(dst, acc + ((long)s * lanes), dst, output + ((long)d * lanes), lanes, op, useImm, imm);
                    }
                }
            }
        }

        (_i, _j, _u, Time) = (i, j, u, time);
        return true;
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
