using HilTuner.Vta.Isa;
using HilTuner.Vta.Simulation;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class LoadStoreTests
{
    [TestMethod]
    public void APaddedInputLoadWritesTheZeroFramedTileContiguously()
    {
        var h = new Harness();
        var lanes = h.Config.InpElemLanes;
        static sbyte Value(int row, int col, int lane) => (sbyte)((row * 37) + (col * 11) + (lane * 3) - 60);

        // A 3×5 grid of input elements in DRAM; load columns 1–3 of all three rows.
        var grid = new sbyte[3 * 5 * lanes];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 5; c++)
            {
                for (var k = 0; k < lanes; k++)
                {
                    grid[(((r * 5) + c) * lanes) + k] = Value(r, c, k);
                }
            }
        }

        var dram = h.Int8(grid, "grid");
        Array.Fill(h.Sim.Sram.Inp, (sbyte)0x55);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Inp, 5, h.At(dram, MemoryType.Inp, 1), ySize: 3, xSize: 3, xStride: 5, yPad0: 1, yPad1: 2, xPad0: 2, xPad1: 1));
        h.Synchronize();
        var result = h.RunFinished();

        const int width = 2 + 3 + 1;
        for (var e = 0; e < 5; e++)
        {
            CollectionAssert.AreEqual(Enumerable.Repeat((sbyte)0x55, lanes).ToArray(), h.InpElement(e), $"element {e} before the tile is untouched");
        }

        for (var y = 0; y < 6; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var element = h.InpElement(5 + (y * width) + x);
                var row = y - 1;
                var col = x - 2;
                var expected = row is >= 0 and < 3 && col is >= 0 and < 3
                    ? Enumerable.Range(0, lanes).Select(k => Value(row, col + 1, k)).ToArray()
                    : new sbyte[lanes];
                CollectionAssert.AreEqual(expected, element, $"tile row {y}, column {x}");
            }
        }

        CollectionAssert.AreEqual(Enumerable.Repeat((sbyte)0x55, lanes).ToArray(), h.InpElement(5 + 36), "the element after the tile is untouched");
        Assert.AreEqual(3 * 3 * 16L, result.Counters.InpLoadNbytes, "padding is not counted as loaded bytes");
    }

    [TestMethod]
    public void AWeightLoadIgnoresItsPadFieldsAsTheHlsDesignDoes()
    {
        var h = new Harness();
        var weights = Harness.RandomInt8(new Random(1), 4 * h.Config.WgtElemLanes);
        var dram = h.Int8(weights, "weights");
        h.Program.Add(MemoryInstruction.Load(MemoryType.Wgt, 10, h.At(dram, MemoryType.Wgt), ySize: 2, xSize: 2, xStride: 2, yPad0: 1, xPad0: 1));
        h.Synchronize();
        h.RunFinished();
        CollectionAssert.AreEqual(weights, h.Sim.Sram.Wgt.AsSpan(10 * h.Config.WgtElemLanes, weights.Length).ToArray());
        Assert.IsTrue(h.Sim.Sram.Wgt.AsSpan(0, 10 * h.Config.WgtElemLanes).ToArray().All(v => v == 0));
    }

    [TestMethod]
    public void AccumulatorAndMicroOpLoadsFillTheirBuffers()
    {
        var h = new Harness();
        var bias = Enumerable.Range(0, 2 * h.Config.AccElemLanes).Select(i => (i * 1_000_003) - 17).ToArray();
        var dram = h.Int32(bias, "bias");
        var uops = h.Uops(new MicroOp(1, 2, 3), new MicroOp(2047, 2047, 1023));
        h.LoadUops(uops, 2, sramBase: 100);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 3, h.At(dram, MemoryType.Acc), ySize: 1, xSize: 2, xStride: 2, xPad0: 1));
        h.Synchronize();
        var result = h.RunFinished();
        CollectionAssert.AreEqual(new int[h.Config.AccElemLanes], h.AccElement(3), "x_pad_0 wrote a zero element");
        CollectionAssert.AreEqual(bias[..16], h.AccElement(4));
        CollectionAssert.AreEqual(bias[16..], h.AccElement(5));
        Assert.AreEqual(new MicroOp(2047, 2047, 1023), MicroOp.Decode(h.Layout, h.Sim.Sram.Uop[101]));
        Assert.AreEqual((128L, 8L), (result.Counters.AccLoadNbytes, result.Counters.UopLoadNbytes));
    }

    [TestMethod]
    public void StoresTruncateToTheLowEightBitsAndFollowTheDramStride()
    {
        var h = new Harness();
        var lanes = h.Config.AccElemLanes;
        int[] values = [300, -200, 128, -129, 255, 256, 127, -128, 65_537, -65_537, 0, 1, -1, 1_000_000, int.MaxValue, int.MinValue];
        var acc = Enumerable.Range(0, 4).SelectMany(e => values.Select(v => unchecked(v + e))).ToArray();
        var bias = h.Int32(acc, "acc values");
        var output = h.Zeros(3 * 2 * lanes, "output");
        var uops = h.Uops(new MicroOp(0, 0), new MicroOp(1, 0), new MicroOp(2, 0), new MicroOp(3, 0));
        h.LoadUops(uops, 4);
        h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 0, h.At(bias, MemoryType.Acc), 1, 4, 4));

        // The OUT buffer is written only by GEMM and ALU: add 0 to copy the accumulators into it.
        h.Program.Add(new AluInstruction(DependencyFlags.PushNext, new MicroOpLoop(false, 0, 4, 1, 1, 0, 0), 0, 0, AluOpcode.Add, true, 0));
        h.Program.Add(MemoryInstruction.Store(0, h.At(output, MemoryType.Out), ySize: 2, xSize: 2, xStride: 3, DependencyFlags.PopPrev));
        h.Synchronize();
        var result = h.RunFinished();

        var bytes = output.Data.Select(b => (sbyte)b).ToArray();
        for (var row = 0; row < 2; row++)
        {
            for (var col = 0; col < 2; col++)
            {
                var element = (row * 2) + col;
                var expected = acc.Skip(element * lanes).Take(lanes).Select(v => unchecked((sbyte)v)).ToArray();
                CollectionAssert.AreEqual(expected, bytes.Skip(((row * 3) + col) * lanes).Take(lanes).ToArray(), $"row {row} column {col}");
            }

            CollectionAssert.AreEqual(new sbyte[lanes], bytes.Skip(((row * 3) + 2) * lanes).Take(lanes).ToArray(), "the stride gap is untouched");
        }

        Assert.AreEqual(4 * 16L, result.Counters.OutStoreNbytes);
        Assert.AreEqual((sbyte)44, bytes[0], "300 stores as 44");
        Assert.AreEqual((sbyte)56, bytes[1], "-200 stores as 56");
        Assert.AreEqual((sbyte)-128, bytes[2], "128 stores as -128");
    }

    [TestMethod]
    public void AStoreReadsTheOutputBufferNotTheAccumulatorsAsTheHlsDesignDoes()
    {
        var h = new Harness();
        var bias = h.Int32(Enumerable.Range(1, 16).ToArray(), "bias");
        var output = h.Zeros(16, "output");
        h.Program.Add(MemoryInstruction.Load(MemoryType.Acc, 0, h.At(bias, MemoryType.Acc), 1, 1, 1, DependencyFlags.PushNext));
        h.Program.Add(MemoryInstruction.Store(0, h.At(output, MemoryType.Out), 1, 1, 1, DependencyFlags.PopPrev));
        h.Synchronize();
        h.RunFinished();
        CollectionAssert.AreEqual(Enumerable.Range(1, 16).ToArray(), h.AccElement(0));
        Assert.IsTrue(output.Data.All(b => b == 0), "no GEMM or ALU wrote the output buffer, so the store sees its old (zero) contents");
    }

    /// <summary>
    /// A freed DRAM buffer's bytes serve the next allocation of its size (a program run again and again allocates no new
    /// memory), cleared as a fresh allocation is; a buffer allocated with data holds exactly that data.
    /// </summary>
    [TestMethod]
    public void AFreedDramBuffersBytesServeTheNextAllocationOfItsSizeCleared()
    {
        var dram = new DeviceMemory();
        var first = dram.Allocate(10_000, "first");
        first.Span.Fill(0xAB);
        dram.Free(first);

        var other = dram.Allocate(5_000, "another size");
        Assert.AreNotSame(first.Data, other.Data, "only a buffer of the same size reuses freed bytes");
        var again = dram.Allocate(10_000, "again");
        Assert.AreSame(first.Data, again.Data, "the freed bytes are reused");
        Assert.IsTrue(again.Span.IndexOfAnyExcept((byte)0) < 0, "reused bytes are cleared");

        dram.Free(again);
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        var filled = dram.Allocate(data, "with data");
        Assert.AreSame(first.Data, filled.Data);
        CollectionAssert.AreEqual(data, filled.Data);
    }
}
