using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Tests;

[TestClass]
public sealed class VtaConfigTests
{
    [TestMethod]
    public void ThePynqConfigurationDerivesVtasDepthsAndElementSizes()
    {
        var c = VtaConfig.Pynq;
        Assert.AreEqual((1, 16, 16), (c.Batch, c.BlockIn, c.BlockOut));
        Assert.AreEqual((8192, 2048, 1024, 2048, 2048), (c.UopBuffDepth, c.InpBuffDepth, c.WgtBuffDepth, c.AccBuffDepth, c.OutBuffDepth));
        Assert.AreEqual((13, 11, 10, 11), (c.LogUopBuffDepth, c.LogInpBuffDepth, c.LogWgtBuffDepth, c.LogAccBuffDepth));
        Assert.AreEqual((16, 256, 64, 16), (c.InpElemBytes, c.WgtElemBytes, c.AccElemBytes, c.OutElemBytes));
        Assert.AreEqual(15, c.LogOutBuffSize);
        Assert.AreEqual("1x16_i8w8a32_15_15_18_17", c.ConfigString);
        Assert.AreEqual("pynq_1x16_i8w8a32_15_15_18_17", c.TargetModel);
        Assert.AreEqual(4, c.ElementBytes(MemoryType.Uop));
    }

    [TestMethod]
    public void OtherBlockSizesAndBuffersDeriveTheirOwnDepths()
    {
        var b8 = TestBoards.WithVta(logBlock: 3, logInp: 14, logWgt: 16, logAcc: 16).Vta;
        Assert.AreEqual((8, 8, 64, 32), (b8.BlockIn, b8.InpElemBytes, b8.WgtElemBytes, b8.AccElemBytes));
        Assert.AreEqual((2048, 1024, 2048), (b8.InpBuffDepth, b8.WgtBuffDepth, b8.AccBuffDepth));
        Assert.AreEqual("1x8_i8w8a32_15_14_16_16", b8.ConfigString);

        var b32 = TestBoards.WithVta(logBlock: 5, logBatch: 1).Vta;
        Assert.AreEqual((2, 32, 64, 1024, 256), (b32.Batch, b32.BlockIn, b32.InpElemBytes, b32.WgtElemBytes, b32.AccElemBytes));
        Assert.AreEqual((512, 256, 512), (b32.InpBuffDepth, b32.WgtBuffDepth, b32.AccBuffDepth));

        // BLOCK 8 with the default buffer sizes makes every index 12 bits wide: the GEMM factors no longer fit 128 bits.
        var tooWide = Assert.ThrowsExactly<BoardFileException>(() => TestBoards.WithVta(logBlock: 3));
        StringAssert.Contains(tooWide.Message, "does not fit the 128-bit instruction");

        var small = TestBoards.WithVta(logInp: 12, logWgt: 14, logAcc: 13, logUop: 12).Vta;
        Assert.AreEqual((256, 64, 128, 1024), (small.InpBuffDepth, small.WgtBuffDepth, small.AccBuffDepth, small.UopBuffDepth));
    }
}
