using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Tests;

[TestClass]
public sealed class WorkloadTests
{
    [TestMethod]
    public void ResNet18LayersCountTheGemmOperationsOfVtasTable()
    {
        long[] ops = [231_211_008, 115_605_504, 12_845_056, 231_211_008, 115_605_504, 12_845_056, 231_211_008, 115_605_504, 12_845_056, 231_211_008];
        CollectionAssert.AreEqual(ops, WorkloadRegistry.ResNet18.Select(w => w.Operations).ToArray());
        Assert.AreEqual(10, WorkloadRegistry.Network("resnet18").Count);
        Assert.AreSame(WorkloadRegistry.ResNet18[9], WorkloadRegistry.Resolve("C11"));
    }

    [TestMethod]
    public void ACustomConv2dAndDenseReadFromJson()
    {
        var conv = (Conv2dWorkload)WorkloadRegistry.Resolve("""{"name": "mine", "op": "conv2d", "height": 14, "width": 14, "in_filter": 32, "out_filter": 16, "hkernel": 3, "wkernel": 3, "hpad": 1, "wpad": 1}""");
        Assert.AreEqual(("mine", 14, 14, 1), (conv.Name, conv.OutHeight, conv.OutWidth, conv.StrideH));
        var dense = (DenseWorkload)WorkloadRegistry.Parse("""{"op": "dense", "in_features": 64, "out_features": 32}""", "x.json");
        Assert.AreEqual((1, 64, 32, "custom.dense"), (dense.Batch, dense.InFeatures, dense.OutFeatures, dense.Name));
    }

    [TestMethod]
    [DataRow("""{"op": "conv2d", "height": 14}""", "x.json: \"width\" is missing")]
    [DataRow("""{"op": "pool"}""", "x.json: \"op\" is \"pool\"; expected \"conv2d\" or \"dense\"")]
    [DataRow("""{"op": "dense", "in_features": "64", "out_features": 16}""", "x.json: \"in_features\" must be a whole number, found \"64\"")]
    [DataRow("""{"op": "dense", "in_features": 64, "out_features": 16, "bogus": 1}""", "x.json: unknown key \"bogus\"")]
    [DataRow("""{"op": "dense", "in_features": 0, "out_features": 16}""", "in_features is 0, it must be at least 1")]
    [DataRow("""{"op": "conv2d", "height": 2, "width": 2, "in_filter": 16, "out_filter": 16, "hkernel": 5, "wkernel": 5}""", "kernel is larger than the padded")]
    [DataRow("""{"op": "dense", "in_features": 65536, "out_features": 65536}""", "the weights tensor would hold 4294967296 elements, more than the 268435456")]
    [DataRow("""{"op": "dense", "in_features": 100000, "out_features": 16}""", "in_features is 100000, it must be at least 1 and at most 65536")]
    [DataRow("""{"op": "conv2d", "height": 2147483647, "width": 2, "in_filter": 16, "out_filter": 16, "hkernel": 1, "wkernel": 1}""", "height is 2147483647, it must be at least 1 and at most 65536")]
    [DataRow("""{"name": "resnet18.C2", "op": "dense", "in_features": 64, "out_features": 16}""", "x.json: \"name\" is \"resnet18.C2\", the name of the built-in workload")]
    [DataRow("[1, 2]", "x.json: a workload must be a JSON object")]
    [DataRow("{", "x.json: not valid JSON")]
    public void AMalformedWorkloadNamesTheInputAndTheProblem(string json, string message)
    {
        var e = Assert.ThrowsExactly<WorkloadException>(() => WorkloadRegistry.Parse(json, "x.json"));
        StringAssert.Contains(e.Message, message);
    }

    /// <summary>A built-in layer written out in full under its own name is that layer.</summary>
    [TestMethod]
    public void ABuiltInShapeUnderItsOwnNameIsAccepted()
    {
        var c2 = WorkloadRegistry.Parse("""{"name": "resnet18.C2", "op": "conv2d", "height": 56, "width": 56, "in_filter": 64, "out_filter": 64, "hkernel": 3, "wkernel": 3, "hpad": 1, "wpad": 1}""", "c2.json");
        Assert.AreEqual(WorkloadRegistry.Resolve("resnet18.C2"), c2);
    }

    /// <summary>VTA's benchmarks write ResNet-18 as <c>resnet-18</c>: that spelling names the same layers and network.</summary>
    [TestMethod]
    public void VtasBenchmarkNamesNameTheSameWorkloads()
    {
        Assert.AreSame(WorkloadRegistry.ResNet18[0], WorkloadRegistry.Resolve("resnet-18.C2"));
        Assert.AreSame(WorkloadRegistry.ResNet18[9], WorkloadRegistry.Resolve("resnet-18.C11"));
        Assert.AreSame(WorkloadRegistry.ResNet18, WorkloadRegistry.Network("resnet-18"));
        Assert.IsNull(WorkloadRegistry.Find("resnet-18.C12"));

        // In a custom workload's JSON, VTA's name for a built-in layer is that layer, and refused for another shape.
        var c2 = WorkloadRegistry.Parse("""{"name": "resnet-18.C2", "op": "conv2d", "height": 56, "width": 56, "in_filter": 64, "out_filter": 64, "hkernel": 3, "wkernel": 3, "hpad": 1, "wpad": 1}""", "c2.json");
        Assert.AreSame(WorkloadRegistry.ResNet18[0], c2);
        var e = Assert.ThrowsExactly<WorkloadException>(() => WorkloadRegistry.Parse("""{"name": "resnet-18.C2", "op": "dense", "in_features": 64, "out_features": 16}""", "x.json"));
        StringAssert.Contains(e.Message, "x.json: \"name\" is \"resnet-18.C2\", the name of the built-in workload");
    }

    [TestMethod]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var e = Assert.ThrowsExactly<WorkloadException>(() => WorkloadRegistry.Resolve("resnet18.C12"));
        StringAssert.StartsWith(e.Message, "unknown workload \"resnet18.C12\" (known: resnet18.C2, ");
    }

    [TestMethod]
    public void AWorkloadThatCannotBePackedSaysWhy()
    {
        var stem = new Conv2dWorkload("resnet18.C1", 1, 224, 224, 3, 64, 7, 7, 3, 3, 2, 2);
        StringAssert.Contains(stem.PackingProblem(VtaConfig.Pynq), "not multiples of BLOCK 16");
        Assert.IsNull(WorkloadRegistry.ResNet18[0].PackingProblem(VtaConfig.Pynq));
    }

    [TestMethod]
    public void ChannelsOrFeaturesThatAreNotMultiplesOfBlockSaySoForEveryOperator()
    {
        var stem = new Conv2dWorkload("resnet18.C1", 1, 224, 224, 3, 64, 7, 7, 3, 3, 2, 2);
        var dense = new DenseWorkload("narrow dense", 1, 16, 24);
        Assert.AreEqual(
            "channels 3→64 are not multiples of BLOCK 16 (the first ResNet-18 layer, with 3 input channels, is not packed)",
            stem.PackingProblem(VtaConfig.Pynq));
        Assert.AreEqual("features 16→24 are not multiples of BLOCK 16", dense.PackingProblem(VtaConfig.Pynq));
        Assert.AreEqual("features 24→16 are not multiples of BLOCK 16", (dense with { InFeatures = 24, OutFeatures = 16 }).PackingProblem(VtaConfig.Pynq));
        Assert.IsNull((dense with { OutFeatures = 32 }).PackingProblem(VtaConfig.Pynq));
    }

    [TestMethod]
    public void ABatchThatIsNotAMultipleOfBatchSaysSoForEveryOperator()
    {
        var batch2 = VtaConfig.Pynq with { LogBatch = 1 };
        var conv = new Conv2dWorkload("odd-batch conv", 3, 14, 14, 16, 16, 3, 3, 1, 1, 1, 1);
        var dense = new DenseWorkload("odd-batch dense", 3, 16, 16);
        Assert.AreEqual("batch 3 is not a multiple of BATCH 2", conv.PackingProblem(batch2));
        Assert.AreEqual("batch 3 is not a multiple of BATCH 2", dense.PackingProblem(batch2));
        Assert.IsNull((dense with { Batch = 4 }).PackingProblem(batch2));
    }
}
