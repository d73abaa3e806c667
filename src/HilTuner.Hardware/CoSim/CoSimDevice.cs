using System.Diagnostics;
using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;
using HilTuner.Vta.Simulation;

namespace HilTuner.Hardware.CoSim;

/// <summary>
/// The silicon of a co-simulated board: watches VTA's start registers in the shared memory file the agent maps,
/// runs the program the agent launched on the bit-level simulator over the same DRAM, writes the results back and
/// raises done (docs/protocol.md §9.4 device contract). A program that hangs or faults in the simulator never
/// raises done, as the hardware would not, and the device stays hung — it takes later starts and never finishes
/// them — until a PL reset written by the agent clears it (§9.5).
/// </summary>
/// <remarks>
/// Each run copies into the simulator only the DRAM the program can touch — its instruction stream and the span of
/// its loads' and stores' 2-D extents — and copies the data span back after the run.
/// </remarks>
public sealed class CoSimDevice : IDisposable
{
    private const ulong ApStart = 0x1;
    private readonly SharedMemoryFile _memory;
    private readonly VtaSimulator _simulator;
    private readonly IsaLayout _layout;
    private readonly Thread _thread;

    // Held by the device's thread while it looks at the registers and runs a launch, and by a power cycle: a power cut
    // from another thread lands between runs, never inside the simulator's work on one.
    private readonly Lock _state = new();
    private volatile bool _stop;
    private bool _inReset;
    private bool _hung;

    public CoSimDevice(Board board, SharedMemoryFile memory, CoSimOptions? options = null, Action<string>? log = null)
    {
        Board = board;
        Options = options ?? CoSimOptions.For(board);
        _memory = memory;
        _simulator = new VtaSimulator(board);
        _layout = IsaLayout.For(board.Vta);
        Log = log;
        _thread = new Thread(Loop) { IsBackground = true, Name = "co-simulation device" };
    }

    public Board Board { get; }

    public CoSimOptions Options { get; }

    public Action<string>? Log { get; }

    /// <summary>Runs started (done raised or not).</summary>
    public long Runs { get; private set; }

    /// <summary>The accelerator is hung: launches are accepted and never finish until a reset.</summary>
    public bool IsHung => _hung;

    /// <summary>Runs that never raised done (hang, fault, cycle limit).</summary>
    public long Hangs { get; private set; }

    /// <summary>Resets seen on the reset register.</summary>
    public long Resets { get; private set; }

    /// <summary>Called on the device's thread after a launch is accepted and before it is simulated (tests use it to act mid-run).</summary>
    public Action<long>? RunAccepted { get; set; }

    /// <summary>The last run's outcome, for diagnostics.</summary>
    public RunResult? LastRun { get; private set; }

    public void Start() => _thread.Start();

    private bool IsChisel => Board.Hardware.Build == HardwareBuild.Chisel;

    private void Loop()
    {
        var idle = 0;
        while (!_stop)
        {
            bool busy;
            lock (_state)
            {
                busy = WatchReset() | WatchStart();
            }

            if (busy)
            {
                idle = 0;
                continue;
            }

            // Poll at tens of microseconds while the agent is busy, and back off to a millisecond when it is not.
            if (++idle < 2000)
            {
                Thread.SpinWait(200);
                if (idle % 16 == 0)
                {
                    Thread.Yield();
                }
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>
    /// The accelerator locks up from now on, whatever it runs, until a PL reset or a power cycle: a board that fails by
    /// itself (a marginal bitstream, a clock glitch), for tests that tell a board's failure from a program's.
    /// </summary>
    public void LockUp()
    {
        lock (_state)
        {
            _hung = true;
        }

        Log?.Invoke("locked up: launches are taken and never finish until a reset");
    }

    /// <summary>Power cut and restored: everything volatile is lost, the accelerator comes back idle.</summary>
    public void PowerCycle()
    {
        lock (_state)
        {
            PowerCycles++;
            _hung = false;
            ClearRegisters();
            _simulator.HardReset();
        }

        Log?.Invoke("power cycled: registers cleared, simulator reset");
    }

    /// <summary>Times <see cref="PowerCycle"/> was called (a relay test's power cuts).</summary>
    public long PowerCycles { get; private set; }

    private bool WatchReset()
    {
        if (Options.ResetRegister is not { } register)
        {
            return false;
        }

        var asserted = _memory.Read32(register) == Options.ResetAssert;
        if (asserted && !_inReset)
        {
            Resets++;
            _hung = false;
            ClearRegisters();
            _simulator.HardReset();
            Log?.Invoke("reset asserted: registers cleared, simulator reset");
        }

        _inReset = asserted;
        return asserted;
    }

    private bool WatchStart()
    {
        var regs = Board.Registers;
        uint count;
        ulong address;
        if (IsChisel)
        {
            if ((_memory.Read32(regs.Fetch) & 1) == 0)
            {
                return false;
            }

            count = _memory.Read32(regs.Fetch + 0x08);
            address = _memory.Read32(regs.Fetch + 0x0C);
            _memory.Write32(regs.Fetch, 0); // launch consumed
        }
        else
        {
            var control = _memory.Read32(regs.Fetch);
            if ((control & ApStart) == 0)
            {
                return false;
            }

            count = _memory.Read32(regs.Fetch + 0x10);
            address = _memory.Read32(regs.Fetch + 0x18);
            _memory.Write32(regs.Compute + 0x18, 0); // done cleared no later than ap_start
            _memory.Write32(regs.Fetch, control & ~(uint)ApStart);
        }

        Runs++;
        RunAccepted?.Invoke(Runs);
        if (_hung)
        {
            // A hung accelerator takes the start and never finishes, until the PL reset.
            Hangs++;
            Log?.Invoke($"run {Runs}: the accelerator is hung since an earlier run; done is never raised until a reset");
            return true;
        }

        if (Execute(address, (int)count) is { } cycles)
        {
            if (Options.CycleCounter is { } counter)
            {
                _memory.Write32(counter, (uint)cycles);
            }

            if (IsChisel)
            {
                _memory.Write32(regs.Fetch, 0x2);
            }
            else
            {
                _memory.Write32(regs.Compute + 0x18, 1);
            }
        }
        else
        {
            Hangs++;
            _hung = true;
        }

        return true;
    }

    /// <summary>Simulates the launched program; its cycles, or null when it never raises done.</summary>
    private long? Execute(ulong instructionBus, int count)
    {
        var clock = Stopwatch.StartNew();
        var dram = _simulator.Dram;
        dram.Clear();
        try
        {
            var instructions = Copy(instructionBus, (long)count * VtaConfig.InstructionBytes);
            var (low, high) = DataSpan(instructions, count);
            DramBuffer? data = null;
            if (high > low)
            {
                if (low < instructionBus + (ulong)instructions.Length && instructionBus < high)
                {
                    throw new InvalidOperationException($"the instruction stream [0x{instructionBus:x}, +{instructions.Length}) overlaps the data it moves [0x{low:x}, 0x{high:x})");
                }

                data = dram.AllocateAt(low, Copy(low, (long)(high - low)), "data");
            }

            dram.AllocateAt(instructionBus, instructions, "instructions");
            var run = _simulator.Run(instructionBus, count, new RunOptions { MaxCycles = Options.MaxCycles });
            LastRun = run;
            if (run.Status != RunStatus.Finished)
            {
                Log?.Invoke($"run {Runs}: {count} instructions: {run.Diagnostic} — done is never raised");
                _simulator.Reset();
                return null;
            }

            if (data is not null)
            {
                data.Data.CopyTo(_memory.Span(low - Options.DeviceAddressOffset, data.Data.Length));
            }

            Log?.Invoke($"run {Runs}: {count} instructions, {run.Cycles} cycles, simulated in {clock.Elapsed.TotalMilliseconds:0.0} ms");
            return run.Cycles;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Log?.Invoke($"run {Runs}: {count} instructions at bus 0x{instructionBus:x}: {e.Message} — done is never raised");
            _simulator.Reset();
            return null;
        }
    }

    /// <summary>The bus-address span of every LOAD's and STORE's 2-D DRAM extent.</summary>
    private (ulong Low, ulong High) DataSpan(byte[] instructions, int count)
    {
        var low = ulong.MaxValue;
        var high = 0UL;
        for (var i = 0; i < count; i++)
        {
            var word = InstructionWord.ReadFrom(instructions.AsSpan(i * VtaConfig.InstructionBytes));
            if (IsaLayout.KindOf(word) != InstructionKind.Memory)
            {
                continue;
            }

            var m = MemoryInstruction.Decode(_layout, word);
            if (m.IsNop)
            {
                continue;
            }

            var (type, first, end) = Relocation.Extent(m);
            if (!Enum.IsDefined(type) || type == MemoryType.Acc8Bit)
            {
                continue; // the simulator faults on it
            }

            var element = (ulong)Board.Vta.ElementBytes(type);
            low = Math.Min(low, (ulong)first * element);
            high = Math.Max(high, (ulong)end * element);
        }

        return low == ulong.MaxValue ? (0, 0) : (low, high);
    }

    /// <summary>Bytes at a bus address, from the shared file.</summary>
    private byte[] Copy(ulong bus, long length)
    {
        if (bus < Options.DeviceAddressOffset || length > int.MaxValue)
        {
            throw new ArgumentException($"bus range [0x{bus:x}, +{length}) is not backed by memory");
        }

        return _memory.Span(bus - Options.DeviceAddressOffset, (int)length).ToArray();
    }

    private void ClearRegisters()
    {
        var regs = Board.Registers;
        if (IsChisel)
        {
            _memory.Write32(regs.Fetch, 0);
        }
        else
        {
            _memory.Write32(regs.Compute + 0x18, 0);
            _memory.Write32(regs.Fetch, _memory.Read32(regs.Fetch) & ~(uint)ApStart);
        }
    }

    public void Dispose()
    {
        _stop = true;
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }
}
