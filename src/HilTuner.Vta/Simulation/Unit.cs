using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// One of VTA's modules as a discrete-event actor. <see cref="Time"/> is the moment of its next action; the
/// simulator always lets the unit with the earliest (time, priority) key act, so every SRAM access happens
/// in the global order of its modelled moment.
/// </summary>
internal abstract class Unit(VtaModule module, int priority, Machine machine)
{
    public VtaModule Module { get; } = module;
    public int Priority { get; } = priority;
    protected Machine M { get; } = machine;

    public long Time { get; protected set; }
    public bool Blocked { get; private set; }
    public UnitWait Wait { get; private set; }

    /// <summary>The dependency queue a blocked unit waits on (null when it waits on a command queue).</summary>
    public DependencyQueue? WaitQueue { get; private set; }

    public long BlockedSince { get; private set; }
    public long BusyCycles { get; protected set; }
    public long StalledCycles { get; protected set; }
    public long IdleCycles { get; protected set; }
    public long Instructions { get; protected set; }

    /// <summary>Scheduling key: time first, then a fixed order among units acting at the same cycle.</summary>
    public long Key => Time * 4 + Priority;

    /// <summary>Acts until blocked, finished, or its key reaches the horizon.</summary>
    public abstract void Run();

    public virtual void Restart()
    {
        Time = 0;
        Blocked = false;
        Wait = UnitWait.None;
        WaitQueue = null;
        BusyCycles = StalledCycles = IdleCycles = Instructions = 0;
    }

    protected void Block(UnitWait why, DependencyQueue? queue = null)
    {
        Blocked = true;
        Wait = why;
        WaitQueue = queue;
        BlockedSince = Time;
    }

    /// <summary>Unblocks the unit at <paramref name="time"/> (never earlier than it blocked).</summary>
    public void Wake(long time)
    {
        if (!Blocked)
        {
            return;
        }

        var resume = Math.Max(Time, time);
        if (Wait == UnitWait.Instructions)
        {
            IdleCycles += resume - Time;
        }
        else
        {
            StalledCycles += resume - Time;
        }

        Time = resume;
        Blocked = false;
        Wait = UnitWait.None;
        WaitQueue = null;
        M.LowerHorizon(Key);
    }

    /// <summary>Charges the time from the last block to the end of the run.</summary>
    public void CloseAccounts(long end)
    {
        if (Blocked && end > BlockedSince)
        {
            if (Wait is UnitWait.Instructions or UnitWait.Done)
            {
                IdleCycles += end - BlockedSince;
            }
            else
            {
                StalledCycles += end - BlockedSince;
            }
        }
    }

    public ModuleStatistics Statistics() => new(Module, BusyCycles, StalledCycles, IdleCycles, Instructions);

    /// <summary>What the unit is doing, for hang diagnostics.</summary>
    public abstract string Describe();
}
