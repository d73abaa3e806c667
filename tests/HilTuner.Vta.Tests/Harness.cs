using System.Runtime.InteropServices;
using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Tests;

/// <summary>A simulator, a program being hand-assembled for it, and helpers to place data in its DRAM.</summary>
internal sealed class Harness
{
    public Harness(Board? board = null)
    {
        Board = board ?? TestBoards.Uncalibrated;
        Sim = new VtaSimulator(Board);
        Program = new InstructionStream(Board.Isa);
    }

    public Board Board { get; }
    public VtaConfig Config => Board.Vta;
    public IsaLayout Layout => Board.Isa;
    public VtaSimulator Sim { get; }
    public InstructionStream Program { get; }

    public DramBuffer Bytes(ReadOnlySpan<byte> data, string name) => Sim.Dram.Allocate(data, name);

    public DramBuffer Int8(ReadOnlySpan<sbyte> data, string name) => Bytes(MemoryMarshal.AsBytes(data), name);

    public DramBuffer Int32(ReadOnlySpan<int> data, string name) => Bytes(MemoryMarshal.AsBytes(data), name);

    public DramBuffer Zeros(int bytes, string name) => Sim.Dram.Allocate(bytes, name);

    public DramBuffer Uops(params MicroOp[] uops)
    {
        var bytes = new byte[uops.Length * 4];
        for (var i = 0; i < uops.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), uops[i].Encode(Layout));
        }

        return Bytes(bytes, "uops");
    }

    /// <summary>The <c>dram_base</c> of element <paramref name="element"/> of <paramref name="buffer"/> seen as <paramref name="type"/> elements.</summary>
    public uint At(DramBuffer buffer, MemoryType type, long element = 0) => buffer.ElementAddress(Config.ElementBytes(type), element);

    public int LoadUops(DramBuffer uops, uint count, uint sramBase = 0, DependencyFlags deps = DependencyFlags.None) =>
        Program.Add(MemoryInstruction.Load(MemoryType.Uop, sramBase, At(uops, MemoryType.Uop), 1, count, count, deps));

    /// <summary>The runtime's end of a launch: push s2g and l2g, a compute no-op popping both, FINISH.</summary>
    public void Synchronize()
    {
        Program.Add(MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PushPrev));
        Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PushNext));
        Program.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopPrev | DependencyFlags.PopNext));
        Program.Add(new FinishInstruction());
    }

    public RunResult Run(RunOptions? options = null)
    {
        var instructions = Sim.Dram.Allocate(Program.InstructionBytes(), "instructions");
        return Sim.Run(instructions.PhysicalAddress, Program.Count, options);
    }

    public RunResult RunFinished(RunOptions? options = null)
    {
        var result = Run(options);
        Assert.AreEqual(RunStatus.Finished, result.Status, result.Diagnostic);
        return result;
    }

    public sbyte[] InpElement(int index) => Sim.Sram.Inp.AsSpan(index * Config.InpElemLanes, Config.InpElemLanes).ToArray();

    public int[] AccElement(int index) => Sim.Sram.Acc.AsSpan(index * Config.AccElemLanes, Config.AccElemLanes).ToArray();

    public sbyte[] OutElement(int index) => Sim.Sram.Out.AsSpan(index * Config.AccElemLanes, Config.AccElemLanes).ToArray();

    public static sbyte[] RandomInt8(Random random, int count)
    {
        var data = new sbyte[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = (sbyte)random.Next(-128, 128);
        }

        return data;
    }
}
