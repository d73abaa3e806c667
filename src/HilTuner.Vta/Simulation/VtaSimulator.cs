using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// A bit-level simulator of one VTA accelerator as the HLS bitstream runs it: fetch dispatching to load,
/// compute and store through finite command queues, four finite dependency-token queues, the SRAMs, and a
/// timing model under which the modules run concurrently as their tokens allow. Hangs are detected exactly:
/// a run hangs when no module can ever act again and FINISH has not executed.
/// </summary>
/// <remarks>
/// The device keeps its state between runs as a board does: SRAM contents and tokens left in the dependency
/// queues carry over. A run that hangs leaves the device hung until <see cref="Reset"/>.
/// </remarks>
public sealed class VtaSimulator
{
    private readonly Machine _machine;
    private readonly FetchUnit _fetch;
    private readonly ExecutionUnit[] _units;
    private long _hostMicroOpBytes;

    public VtaSimulator(Board board)
    {
        Board = board;
        Dram = new DeviceMemory();
        _machine = new Machine(board, Dram);
        var depth = board.Hardware.CommandQueueDepth;
        var load = new LoadUnit(_machine, new CommandQueue(VtaModule.Load, depth));
        var compute = new ComputeUnit(_machine, new CommandQueue(VtaModule.Compute, depth));
        var store = new StoreUnit(_machine, new CommandQueue(VtaModule.Store, depth));
        _units = [load, compute, store];
        _fetch = new FetchUnit(_machine, load, compute, store);
        foreach (var unit in _units)
        {
            unit.Fetch = _fetch;
        }

        Wire(DependencyQueueId.LoadToCompute, load, compute);
        Wire(DependencyQueueId.ComputeToLoad, compute, load);
        Wire(DependencyQueueId.ComputeToStore, compute, store);
        Wire(DependencyQueueId.StoreToCompute, store, compute);
    }

    public Board Board { get; }

    /// <summary>The simulated DRAM: allocate buffers here, write inputs, read outputs.</summary>
    public DeviceMemory Dram { get; }

    /// <summary>The on-chip buffers (for inspection and tests).</summary>
    public OnChipMemory Sram => _machine.Sram;

    /// <summary>True after a run that hung or ran out of cycles, until <see cref="Reset"/>.</summary>
    public bool IsHung { get; private set; }

    /// <summary>Tokens waiting in each dependency queue (left over from earlier runs).</summary>
    public int TokensIn(DependencyQueueId queue) => _machine.Queue(queue).Count;

    /// <summary>
    /// A soft reset (the programmable logic's reset): empties the command and dependency queues and clears a
    /// hang. SRAM contents survive, as block RAM does.
    /// </summary>
    public void Reset()
    {
        foreach (var queue in _machine.Queues)
        {
            queue.Clear();
        }

        foreach (var unit in _units)
        {
            unit.Commands.Clear();
        }

        IsHung = false;
    }

    /// <summary>A reset that also clears every SRAM, as reloading the bitstream does.</summary>
    public void HardReset()
    {
        Reset();
        _machine.Sram.Clear();
    }

    /// <summary>
    /// Runs <paramref name="instructionCount"/> instructions starting at physical address
    /// <paramref name="instructionAddress"/>, as writing fetch's <c>insn_count</c> and <c>insns</c> registers and
    /// starting the modules does.
    /// </summary>
    public RunResult Run(ulong instructionAddress, int instructionCount, RunOptions? options = null)
    {
        options ??= RunOptions.Default;
        _hostMicroOpBytes = options.HostMicroOpBytes;
        if (IsHung)
        {
            throw new InvalidOperationException("the accelerator is hung from an earlier run and never raised done; Reset() it before the next run");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(instructionCount);
        var m = _machine;
        m.Counters = new ProfilerCounters();
        m.Sram.WeightsChanged();
        m.Races = options.CheckRaces ? new RaceDetector(m.Sram) : null;
        m.Finished = false;
        m.ResetPort();
        foreach (var queue in m.Queues)
        {
            queue.Age();
        }

        foreach (var unit in _units)
        {
            unit.Commands.Clear();
            unit.Restart();
            Array.Clear(unit.Clock);
        }

        _fetch.Start(instructionAddress, instructionCount);
        Unit[] all = [_units[0], _units[1], _units[2], _fetch];
        var cap = (options.MaxCycles + 1) * 4;
        try
        {
            while (!m.Finished)
            {
                Unit? next = null;
                var horizon = cap;
                foreach (var unit in all)
                {
                    if (unit.Blocked)
                    {
                        continue;
                    }

                    if (next is null || unit.Key < next.Key)
                    {
                        if (next is not null)
                        {
                            horizon = Math.Min(horizon, next.Key);
                        }

                        next = unit;
                    }
                    else
                    {
                        horizon = Math.Min(horizon, unit.Key);
                    }
                }

                if (next is null)
                {
                    IsHung = true;
                    var end = all.Max(u => u.Time);
                    return Finish(RunStatus.Hang, end, all, hang: Diagnose(end, all));
                }

                if (next.Key >= cap)
                {
                    IsHung = true;
                    return Finish(RunStatus.CycleLimitExceeded, options.MaxCycles, all);
                }

                m.Horizon = horizon;
                next.Run();
            }
        }
        catch (SimulationFaultException e)
        {
            return Finish(RunStatus.RuntimeError, e.Fault.Cycle, all, fault: e.Fault);
        }

        return Finish(RunStatus.Finished, m.FinishTime, all);
    }

    private void Wire(DependencyQueueId id, ExecutionUnit producer, ExecutionUnit consumer)
    {
        var queue = _machine.Queue(id);
        queue.Producer = producer;
        queue.Consumer = consumer;
    }

    private RunResult Finish(RunStatus status, long end, Unit[] all, HangReport? hang = null, SimulationFault? fault = null)
    {
        foreach (var unit in all)
        {
            unit.CloseAccounts(end);
        }

        var warnings = new List<string>();
        if (status == RunStatus.Finished)
        {
            foreach (var queue in _machine.Queues.Where(q => q.Count > 0))
            {
                warnings.Add($"{queue.Count} token(s) left in {queue.Id.ShortName()}: on a board they pair with the next run's pops");
            }

            var pending = _units.Sum(u => u.Commands.Count + (u.HoldsInstruction ? 1 : 0)) + (_fetch.Count - _fetch.Pc);
            if (pending > 0)
            {
                warnings.Add($"{pending} instruction(s) were still queued or under way when FINISH raised done");
            }

            foreach (var unit in _units)
            {
                unit.Commands.Clear();
            }
        }

        if (_machine.Queues.Sum(q => q.Dropped) is var dropped && dropped > 0 && status != RunStatus.Hang)
        {
            warnings.Add($"{dropped} token(s) were lost to full dependency queues");
        }

        return new RunResult
        {
            Status = status,
            Cycles = end,
            BoardSeconds = Board.SecondsOf(end, _fetch.Count, _hostMicroOpBytes),
            Modules = all.OrderBy(u => u.Module).Select(u => u.Statistics()).ToList(),
            Counters = _machine.Counters,
            Hang = hang,
            Fault = fault,
            Races = _machine.Races?.Reports ?? [],
            Warnings = warnings,
        };
    }

    private HangReport Diagnose(long cycle, Unit[] all)
    {
        var starved = _units.All(u => u.Wait == UnitWait.Instructions);
        var cause = starved && _fetch.Wait == UnitWait.Done
            ? $"the program ran out of instructions without a FINISH ({_fetch.Count} instructions dispatched)"
            : "no module can make progress and FINISH has not executed";
        return new HangReport(
            cycle,
            cause,
            all.OrderBy(u => u.Module).ToDictionary(u => u.Module, u => u.Describe()),
            _machine.Queues.ToDictionary(q => q.Id, q => q.Count),
            Board.Hardware.DependencyQueueDepth,
            _units.ToDictionary(u => u.Module, u => u.Commands.Count),
            Board.Hardware.CommandQueueDepth,
            _machine.Queues.Sum(q => q.Dropped));
    }
}
