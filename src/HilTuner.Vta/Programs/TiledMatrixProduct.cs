using System.Runtime.InteropServices;
using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Programs;

/// <summary>
/// A GEMM-heavy VTA program assembled by hand for benchmarks and demonstrations: a tiled int8 matrix product
/// with an epilogue (shift, clip), double-buffered over two virtual threads with the dependency tokens VTA's
/// compiler would emit, so that load, compute and store overlap.
/// </summary>
public sealed class TiledMatrixProduct
{
    private readonly Board _board;
    private readonly sbyte[] _a;
    private readonly sbyte[] _w;

    private TiledMatrixProduct(Board board, MatrixProductShape shape, sbyte[] a, sbyte[] w)
    {
        _board = board;
        Shape = shape;
        _a = a;
        _w = w;
    }

    public MatrixProductShape Shape { get; }

    private VtaConfig Config => _board.Vta;

    /// <summary>Multiply-accumulates the product performs.</summary>
    public long MultiplyAccumulates => (long)Shape.Rows * Config.Batch * Shape.InBlocks * Config.BlockIn * Shape.OutBlocks * Config.BlockOut;

    /// <summary>Random int8 operands from <paramref name="seed"/>; throws when the tiles do not fit the board's buffers.</summary>
    public static TiledMatrixProduct Create(Board board, MatrixProductShape shape, int seed = 1)
    {
        var c = board.Vta;
        var vt = shape.VirtualThreads;
        Require(shape.VirtualThreads is 1 or 2, "virtual threads must be 1 or 2");
        Require(shape.Rows % shape.TileRows == 0 && shape.OutBlocks % shape.TileOutBlocks == 0, "tiles must divide the matrices");
        Require(vt * shape.TileRows * shape.InBlocks <= c.InpBuffDepth, $"an input tile needs {vt * shape.TileRows * shape.InBlocks} of {c.InpBuffDepth} input elements");
        Require(vt * shape.TileOutBlocks * shape.InBlocks <= c.WgtBuffDepth, $"a weight tile needs {vt * shape.TileOutBlocks * shape.InBlocks} of {c.WgtBuffDepth} weight elements");
        Require(vt * shape.TileRows * shape.TileOutBlocks <= Math.Min(c.AccBuffDepth, board.Hardware.UopBufferDepth),
            "an output tile needs more accumulators or micro-ops than the board has");
        Require(shape.TileRows * shape.TileOutBlocks >= 2, "a tile needs at least two outputs (back-to-back writes to one accumulator are a hazard)");

        var random = new Random(seed);
        var a = new sbyte[shape.Rows * shape.InBlocks * c.InpElemLanes];
        var w = new sbyte[shape.OutBlocks * shape.InBlocks * c.WgtElemLanes];
        random.NextBytes(MemoryMarshal.AsBytes(a.AsSpan()));
        random.NextBytes(MemoryMarshal.AsBytes(w.AsSpan()));
        return new TiledMatrixProduct(board, shape, a, w);

        static void Require(bool condition, string problem)
        {
            if (!condition)
            {
                throw new ArgumentException($"matrix product shape: {problem}");
            }
        }
    }

    /// <summary>Places operands and program in the simulator's DRAM, runs it, and returns the run and the output.</summary>
    public (RunResult Run, sbyte[] Output) Run(VtaSimulator simulator, RunOptions? options = null)
    {
        var c = Config;
        var dram = simulator.Dram;
        var a = dram.Allocate(MemoryMarshal.AsBytes(_a.AsSpan()), "A");
        var w = dram.Allocate(MemoryMarshal.AsBytes(_w.AsSpan()), "W");
        var output = dram.Allocate((long)Shape.Rows * Shape.OutBlocks * c.OutElemBytes, "C");
        var stream = new InstructionStream(_board.Isa);
        AddMicroOps(stream);
        var uops = dram.Allocate(stream.MicroOpBytes(), "micro-ops");
        Assemble(stream, a, w, output, uops);
        var instructions = dram.Allocate(stream.InstructionBytes(), "instructions");
        try
        {
            var host = (options ?? RunOptions.Default) with { HostMicroOpBytes = stream.MicroOpBytes().Length };
            var result = simulator.Run(instructions.PhysicalAddress, stream.Count, host);
            return (result, MemoryMarshal.Cast<byte, sbyte>(output.Data.AsSpan()).ToArray());
        }
        finally
        {
            foreach (var buffer in new[] { a, w, output, uops, instructions })
            {
                dram.Free(buffer);
            }
        }
    }

    /// <summary>The expected output, from plain loops over the unpacked operands.</summary>
    public sbyte[] Reference()
    {
        var c = Config;
        var (rows, inBlocks, outBlocks) = (Shape.Rows, Shape.InBlocks, Shape.OutBlocks);
        var output = new sbyte[rows * outBlocks * c.OutElemBytes];
        for (var m = 0; m < rows; m++)
        {
            for (var n = 0; n < outBlocks; n++)
            {
                for (var b = 0; b < c.Batch; b++)
                {
                    for (var o = 0; o < c.BlockOut; o++)
                    {
                        var sum = 0;
                        for (var k = 0; k < inBlocks; k++)
                        {
                            var inp = (((m * inBlocks) + k) * c.InpElemLanes) + (b * c.BlockIn);
                            var wgt = (((n * inBlocks) + k) * c.WgtElemLanes) + (o * c.BlockIn);
                            for (var i = 0; i < c.BlockIn; i++)
                            {
                                sum += _a[inp + i] * _w[wgt + i];
                            }
                        }

                        output[(((m * outBlocks) + n) * c.OutElemBytes) + (b * c.BlockOut) + o] = (sbyte)Math.Clamp(sum >> Shape.Shift, -128, 127);
                    }
                }
            }
        }

        return output;
    }

    private int TileOutputs => Shape.TileRows * Shape.TileOutBlocks;

    private void AddMicroOps(InstructionStream stream)
    {
        for (var thread = 0; thread < Shape.VirtualThreads; thread++)
        {
            for (var m = 0; m < Shape.TileRows; m++)
            {
                for (var n = 0; n < Shape.TileOutBlocks; n++)
                {
                    stream.Add(new MicroOp(
                        (uint)((thread * TileOutputs) + (m * Shape.TileOutBlocks) + n),
                        (uint)(((thread * Shape.TileRows) + m) * Shape.InBlocks),
                        (uint)(((thread * Shape.TileOutBlocks) + n) * Shape.InBlocks)));
                }
            }
        }
    }

    private void Assemble(InstructionStream s, DramBuffer a, DramBuffer w, DramBuffer output, DramBuffer uops)
    {
        var c = Config;
        var (k, tm, tn, vt) = (Shape.InBlocks, Shape.TileRows, Shape.TileOutBlocks, Shape.VirtualThreads);
        var uopCount = (uint)(vt * TileOutputs);
        s.Add(MemoryInstruction.Load(MemoryType.Uop, 0, uops.ElementAddress(VtaConfig.MicroOpBytes), 1, uopCount, uopCount));

        var tile = 0;
        for (var m0 = 0; m0 < Shape.Rows; m0 += tm)
        {
            for (var n0 = 0; n0 < Shape.OutBlocks; n0 += tn, tile++)
            {
                var thread = tile % vt;
                var reuse = tile >= vt;

                // Load: wait until compute has finished reading this thread's buffers, then fill them.
                s.Add(MemoryInstruction.Load(MemoryType.Inp, (uint)(thread * tm * k), a.ElementAddress(c.InpElemBytes, (long)m0 * k),
                    (uint)tm, (uint)k, (uint)k, reuse ? DependencyFlags.PopNext : DependencyFlags.None));
                s.Add(MemoryInstruction.Load(MemoryType.Wgt, (uint)(thread * tn * k), w.ElementAddress(c.WgtElemBytes, (long)n0 * k),
                    (uint)tn, (uint)k, (uint)k, DependencyFlags.PushNext));

                // Compute: wait for the data (and for store to have drained this thread's outputs), reset,
                // accumulate over K, release the input buffers, apply the epilogue and hand the tile to store.
                var bgn = (uint)(thread * TileOutputs);
                var end = bgn + (uint)TileOutputs;
                s.Add(new GemmInstruction(DependencyFlags.PopPrev | (reuse ? DependencyFlags.PopNext : DependencyFlags.None), new MicroOpLoop(true, bgn, end, 1, 1, 0, 0), 0, 0, 0, 0));
                s.Add(new GemmInstruction(DependencyFlags.PushPrev, new MicroOpLoop(false, bgn, end, (uint)k, 1, 0, 0), 1, 0, 1, 0));
                s.Add(Epilogue(AluOpcode.Shr, Shape.Shift, bgn, end, DependencyFlags.None));
                s.Add(Epilogue(AluOpcode.Min, 127, bgn, end, DependencyFlags.None));
                s.Add(Epilogue(AluOpcode.Max, -128, bgn, end, DependencyFlags.PushNext));

                // Store: wait for the tile, write it out, release the output buffer.
                s.Add(MemoryInstruction.Store((uint)(thread * TileOutputs), output.ElementAddress(c.OutElemBytes, ((long)m0 * Shape.OutBlocks) + n0),
                    (uint)tm, (uint)tn, (uint)Shape.OutBlocks, DependencyFlags.PopPrev | DependencyFlags.PushPrev));
            }
        }

        // Consume the tokens the last tiles pushed for tiles that never came, then end as the runtime does.
        for (var i = 0; i < Math.Min(vt, tile); i++)
        {
            s.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PopNext));
            s.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopNext));
        }

        s.Add(MemoryInstruction.Nop(Opcode.Store, MemoryType.Uop, DependencyFlags.PushPrev));
        s.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Inp, DependencyFlags.PushNext));
        s.Add(MemoryInstruction.Nop(Opcode.Load, MemoryType.Uop, DependencyFlags.PopPrev | DependencyFlags.PopNext));
        s.Add(new FinishInstruction());
    }

    private static AluInstruction Epilogue(AluOpcode op, int imm, uint bgn, uint end, DependencyFlags deps) =>
        new(deps, new MicroOpLoop(false, bgn, end, 1, 1, 0, 0), 0, 0, op, true, (short)imm);
}
