using System.Runtime.CompilerServices;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// The life of an instruction on load, compute or store: take it from the command queue (freeing a slot for
/// fetch), pop the tokens its flags ask for (blocking while a queue is empty), execute, then push tokens
/// (blocking while a queue is full, unless the build drops them).
/// </summary>
internal abstract class ExecutionUnit : Unit
{
    private enum Phase
    {
        Take,
        Pop,
        Execute,
        Push,
    }

    private readonly DependencyQueue?[] _pops = new DependencyQueue?[2];
    private readonly DependencyQueue?[] _pushes = new DependencyQueue?[2];
    private Phase _phase;
    private int _popCount;
    private int _pushCount;
    private int _next;
    private long _executeStart;

    protected ExecutionUnit(VtaModule module, int priority, Machine machine, CommandQueue commands)
        : base(module, priority, machine)
    {
        Commands = commands;
    }

    public CommandQueue Commands { get; }

    /// <summary>Fetch, to be woken when a slot of this unit's command queue frees up.</summary>
    public FetchUnit? Fetch { get; set; }

    /// <summary>This unit's vector clock (used only when races are checked).</summary>
    public int[] Clock { get; } = new int[VectorClock.Width];

    protected Span<int> ClockIfChecking => M.Races is null ? Span<int>.Empty : Clock;

    /// <summary>The instruction being executed and its index in the program.</summary>
    protected InstructionWord Word { get; private set; }

    protected int Pc { get; private set; } = -1;

    /// <summary>True between taking an instruction and finishing its pushes (the compute unit that ran FINISH excepted).</summary>
    public bool HoldsInstruction => _phase != Phase.Take && !(Module == VtaModule.Compute && M.Finished && _phase == Phase.Execute);

    public override void Restart()
    {
        base.Restart();
        _phase = Phase.Take;
        Pc = -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Run()
    {
        while (!Blocked && Key < M.Horizon)
        {
            switch (_phase)
            {
                case Phase.Take:
                    if (!Take())
                    {
                        return;
                    }

                    break;
                case Phase.Pop:
                    if (!PopTokens())
                    {
                        return;
                    }

                    break;
                case Phase.Execute:
                    if (!Step())
                    {
                        return;
                    }

                    BusyCycles += Time - _executeStart;
                    if (M.Finished)
                    {
                        return;
                    }

                    _phase = Phase.Push;
                    _next = 0;
                    break;
                default:
                    if (!PushTokens())
                    {
                        return;
                    }

                    _phase = Phase.Take;
                    break;
            }
        }
    }

    /// <summary>Sets up execution of <see cref="Word"/> at <see cref="Unit.Time"/>.</summary>
    protected abstract void BeginExecute();

    /// <summary>Advances execution while within the horizon; true when the instruction is complete (Time = completion).</summary>
    protected abstract bool Step();

    /// <summary>Latest cycle at which this unit may act without passing the horizon.</summary>
    protected long LimitTime => (M.Horizon - Priority - 1) >> 2;

    /// <summary>
    /// Steps a 2-D load into SRAM while within the horizon (LOAD INP / WGT in the load module, LOAD ACC in compute): each
    /// step is started (its time charged), then applied; true when the load is complete. The elements each step writes are
    /// reported for <paramref name="written"/> (weights also make their paired forms stale); null for a buffer no other
    /// module reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected bool StepTransfer(PaddedLoad transfer, SharedBuffer? written)
    {
        var limit = LimitTime;
        while (transfer.HasStep)
        {
            if (Time > limit)
            {
                return false;
            }

            if (!transfer.InFlight)
            {
                Time = transfer.Start(M, Time);
                continue;
            }

            var (start, count) = transfer.Apply();
            if (written is { } buffer)
            {
                if (buffer == SharedBuffer.Wgt)
                {
                    M.Sram.WeightsWritten(start, count);
                }

                M.Races?.Write(buffer, start, count, Module, Pc, Clock);
            }
        }

        return true;
    }

    private bool Take()
    {
        if (Commands.IsEmpty)
        {
            Block(UnitWait.Instructions);
            return false;
        }

        (var word, var pc, _) = Commands.Dequeue();
        Word = word;
        Pc = pc;
        Instructions++;
        Clock[VectorClock.IndexOf(Module)]++;
        if (Fetch is { Blocked: true, Wait: UnitWait.Space } fetch && fetch.WaitingOn == Module)
        {
            fetch.Wake(Time);
        }

        var flags = M.Layout.DecodeDependencies(word);
        _popCount = _pushCount = 0;
        foreach (var flag in (ReadOnlySpan<DependencyFlags>)[DependencyFlags.PopPrev, DependencyFlags.PopNext])
        {
            if ((flags & flag) != 0 && InstructionRouting.QueueFor(Module, flag) is { } id)
            {
                _pops[_popCount++] = M.Queue(id);
            }
        }

        foreach (var flag in (ReadOnlySpan<DependencyFlags>)[DependencyFlags.PushPrev, DependencyFlags.PushNext])
        {
            if ((flags & flag) != 0 && InstructionRouting.QueueFor(Module, flag) is { } id)
            {
                _pushes[_pushCount++] = M.Queue(id);
            }
        }

        var overhead = M.Timing.Overhead(M.Layout, word);
        Time += overhead;
        BusyCycles += overhead;
        _phase = Phase.Pop;
        _next = 0;
        return true;
    }

    private bool PopTokens()
    {
        while (_next < _popCount)
        {
            if (Key >= M.Horizon)
            {
                return false;
            }

            var queue = _pops[_next]!;
            if (queue.IsEmpty)
            {
                Block(UnitWait.Token, queue);
                return false;
            }

            var visible = queue.Pop(ClockIfChecking) + M.Timing.TokenLatency;
            if (queue.Producer is { Blocked: true, Wait: UnitWait.Space } producer && producer.WaitQueue == queue)
            {
                producer.Wake(Time);
            }

            if (visible > Time)
            {
                StalledCycles += visible - Time;
                Time = visible;
            }

            _next++;
        }

        _phase = Phase.Execute;
        _executeStart = Time;
        BeginExecute();
        return true;
    }

    private bool PushTokens()
    {
        while (_next < _pushCount)
        {
            var queue = _pushes[_next]!;
            if (queue.IsFull && queue.WhenFull == Config.DependencyQueueFull.Block)
            {
                Block(UnitWait.Space, queue);
                return false;
            }

            queue.Push(Time, ClockIfChecking);
            if (queue.Consumer is { Blocked: true, Wait: UnitWait.Token } consumer && consumer.WaitQueue == queue)
            {
                consumer.Wake(Time + M.Timing.TokenLatency);
            }

            _next++;
        }

        return true;
    }

    protected SimulationFaultException Fault(string reason) => Machine.Fault(Module, Pc, Time, reason);

    /// <summary>Short text of the current instruction for diagnostics.</summary>
    protected string Current => Pc < 0 ? "no instruction" : $"instruction {Pc} ({Disassembler.Format(M.Layout, Word)})";

    public override string Describe()
    {
        var name = Module.ToString().ToLowerInvariant();
        return Wait switch
        {
            UnitWait.Instructions => $"{name}: idle, its command queue is empty (last: {Current})",
            UnitWait.Token => $"{name}: {Current} is waiting to pop a token from {WaitQueue!.Id.ShortName()}, which is empty",
            UnitWait.Space => $"{name}: {Current} is waiting to push a token into {WaitQueue!.Id.ShortName()}, which is full ({WaitQueue.Count}/{WaitQueue.Capacity})",
            _ => $"{name}: executing {Current}",
        };
    }
}
