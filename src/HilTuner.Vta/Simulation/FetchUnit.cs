using System.Runtime.CompilerServices;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// Fetch: reads the instruction stream from DRAM in program order and routes each instruction to the load,
/// compute or store command queue, stalling while the queue its next instruction needs is full.
/// </summary>
internal sealed class FetchUnit(Machine machine, ExecutionUnit load, ExecutionUnit compute, ExecutionUnit store)
    : Unit(VtaModule.Fetch, 3, machine)
{
    private byte[] _stream = [];
    private long _streamOffset;
    private int _readable;
    private ulong _address;
    private int _count;
    private long _cyclesPerInstruction;
    private bool _arrived;

    /// <summary>Index of the next instruction to dispatch.</summary>
    public int Pc { get; private set; }

    public int Count => _count;

    /// <summary>The module whose full command queue fetch waits on.</summary>
    public VtaModule WaitingOn { get; private set; }

    public void Start(ulong address, int count)
    {
        Restart();
        _address = address;
        _count = count;
        Pc = 0;
        _arrived = false;
        _cyclesPerInstruction = M.Timing.FetchCyclesPerInstruction;
        Time = M.Timing.FetchLatency;
        BusyCycles = Time;

        // Map as much of the stream as one DRAM buffer holds; an instruction beyond it faults when fetched.
        var first = M.Dram.Find(address, Config.VtaConfig.InstructionBytes);
        if (first is null)
        {
            _readable = 0;
            return;
        }

        _stream = first.Data;
        _streamOffset = (long)(address - first.PhysicalAddress);
        _readable = (int)Math.Min(count, (first.Length - _streamOffset) / Config.VtaConfig.InstructionBytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Run()
    {
        while (!Blocked && Key < M.Horizon)
        {
            if (Pc == _count)
            {
                Block(UnitWait.Done);
                return;
            }

            if (Pc >= _readable)
            {
                var at = _address + (ulong)Pc * Config.VtaConfig.InstructionBytes;
                throw Machine.Fault(Module, Pc, Time, $"instruction fetch from DRAM {M.Dram.Describe(at, Config.VtaConfig.InstructionBytes)}");
            }

            var word = InstructionWord.ReadFrom(_stream.AsSpan((int)(_streamOffset + (long)Pc * Config.VtaConfig.InstructionBytes)));
            var target = InstructionRouting.ModuleOf(word) switch
            {
                VtaModule.Load => load,
                VtaModule.Store => store,
                _ => compute,
            };
            if (target.Commands.IsFull)
            {
                WaitingOn = target.Module;
                Block(UnitWait.Space);
                return;
            }

            if (!_arrived)
            {
                // On a shared port the instruction's beats wait for the read channel; fetch has it later.
                _arrived = true;
                var arrival = M.FetchArrival(Time, _cyclesPerInstruction);
                if (arrival > Time)
                {
                    BusyCycles += arrival - Time;
                    Time = arrival;
                    continue;
                }
            }

            _arrived = false;
            target.Commands.Enqueue(word, Pc, Time);
            if (target is { Blocked: true, Wait: UnitWait.Instructions })
            {
                target.Wake(Time);
            }

            Instructions++;
            Pc++;
            Time += _cyclesPerInstruction;
            BusyCycles += _cyclesPerInstruction;
        }
    }

    public override string Describe()
    {
        if (Wait == UnitWait.Done || Pc == _count)
        {
            return $"fetch: all {_count} instructions dispatched";
        }

        var word = InstructionWord.ReadFrom(_stream.AsSpan((int)(_streamOffset + (long)Pc * Config.VtaConfig.InstructionBytes)));
        var queue = WaitingOn.ToString().ToLowerInvariant();
        return Wait == UnitWait.Space
            ? $"fetch: stalled at instruction {Pc} ({Disassembler.Format(M.Layout, word)}): the {queue} command queue is full"
            : $"fetch: about to dispatch instruction {Pc} ({Disassembler.Format(M.Layout, word)})";
    }
}
