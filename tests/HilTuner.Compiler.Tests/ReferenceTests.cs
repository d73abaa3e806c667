using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Runtime;

namespace HilTuner.Compiler.Tests;

[TestClass]
public sealed class ReferenceTests
{
    [TestMethod]
    public void TheEpilogueShiftsAddsBiasAndClips()
    {
        Assert.AreEqual((sbyte)0, OperatorTensors.Epilogue(-1000, 2));
        Assert.AreEqual((sbyte)5, OperatorTensors.Epilogue(768, 2), "768 >> 8 = 3, + 2");
        Assert.AreEqual((sbyte)127, OperatorTensors.Epilogue(1 << 20, 0));
        Assert.AreEqual((sbyte)1, OperatorTensors.Epilogue(-257, 3), "arithmetic shift: -257 >> 8 = -2");
    }

    [TestMethod]
    public void AHandComputedConvolution()
    {
        // One input and one output channel block would need 16 channels; use 16 with all but channel 0 zero.
        var w = new Conv2dWorkload("tiny", 1, 3, 3, 16, 16, 3, 3, 1, 1, 1, 1);
        var data = new sbyte[16 * 9];
        var weight = new sbyte[16 * 16 * 9];
        for (var i = 0; i < 9; i++)
        {
            data[i] = (sbyte)(i + 1);
            weight[i] = 64;
        }

        var t = new Conv2dTensors { Workload = w, Data = data, Weight = weight, Bias = new int[16] };
        var result = t.Reference();

        // Output channel 0 at the centre sums all nine inputs (45) × 64 = 2880 → >> 8 = 11; at a corner 1+2+4+5 = 12 → 3.
        Assert.AreEqual((sbyte)11, result[4]);
        Assert.AreEqual((sbyte)3, result[0]);
        Assert.AreEqual((sbyte)0, result[9 + 4], "channel 1's weights are zero");
    }

    [TestMethod]
    public void PackingPutsChannelsInTheInnermostBlockAndUnpackingInvertsIt()
    {
        var w = new Conv2dWorkload("pack", 1, 2, 2, 32, 16, 1, 1, 0, 0, 1, 1);
        var t = Conv2dTensors.Random(w, 3);
        var packed = t.Pack(VtaConfig.Pynq);
        var data = packed[SegmentKind.Data];

        // NCHW1n16c: element (c/16, h, w), lane c%16. Channel 17 at (1, 0) is block 1, element (1·2 + 1)·... lane 1.
        var element = ((1 * 2) + 1) * 2 + 0;
        Assert.AreEqual(t.Data[(((17 * 2) + 1) * 2) + 0], (sbyte)data[(element * 16) + 1]);
        var identity = t.UnpackOutput(VtaConfig.Pynq, data.AsSpan(0, 16 * 4));
        Assert.AreEqual(t.Data[(3 * 4) + 2], identity[(3 * 4) + 2], "unpacking the first block gives back channels 0–15");
    }
}
