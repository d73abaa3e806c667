using System.Text.Json.Nodes;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Tests;

[TestClass]
public sealed class SpaceTests
{
    [TestMethod]
    [DataRow("resnet18.C2", 2304)]
    [DataRow("resnet18.C3", 1728)]
    [DataRow("resnet18.C4", 1728)]
    [DataRow("resnet18.C5", 2304)]
    [DataRow("resnet18.C6", 1280)]
    [DataRow("resnet18.C7", 1280)]
    [DataRow("resnet18.C8", 1600)]
    [DataRow("resnet18.C9", 480)]
    [DataRow("resnet18.C10", 480)]
    [DataRow("resnet18.C11", 576)]
    public void ResNet18SpacesHaveTheSizesOfVtasTemplate(string name, long size)
    {
        Assert.AreEqual(size, Templates.For(WorkloadRegistry.Resolve(name), VtaConfig.Pynq).Size);
    }

    /// <summary>Lines of real AutoTVM logs: a ZCU104 VTA log (index 241) and TopHub's PYNQ C10 entry (index 203).</summary>
    [TestMethod]
    [DataRow("resnet18.C11", 241L, """[["tile_b", "sp", [-1, 1]], ["tile_h", "sp", [-1, 7]], ["tile_w", "sp", [-1, 1]], ["tile_ci", "sp", [-1, 1]], ["tile_co", "sp", [-1, 16]], ["oc_nthread", "ot", 2], ["h_nthread", "ot", 1]]""")]
    [DataRow("resnet18.C10", 203L, """[["tile_b", "sp", [1, 1]], ["tile_h", "sp", [1, 7]], ["tile_w", "sp", [1, 7]], ["tile_ci", "sp", [16, 1]], ["tile_co", "sp", [2, 16]], ["oc_nthread", "ot", 2], ["h_nthread", "ot", 1]]""")]
    public void IndicesAndEntitiesMeanWhatTheyMeanInAutoTvmLogs(string workload, long index, string entity)
    {
        var space = Templates.For(WorkloadRegistry.Resolve(workload), VtaConfig.Pynq);
        var fromEntity = space.FromKnobs(entity);
        Assert.AreEqual(index, fromEntity.Index);
        var fromIndex = space.Get(index);
        Assert.AreEqual(fromEntity.Knobs().ToJsonString(), fromIndex.Knobs().ToJsonString());

        // Entities print the outer factor as -1, as the "factors" policy writes them.
        var expected = JsonNode.Parse(entity)!.AsArray();
        foreach (var item in expected)
        {
            if (item![1]!.GetValue<string>() == "sp")
            {
                item[2]![0] = -1;
            }
        }

        Assert.AreEqual(expected.ToJsonString(), fromIndex.Entity().ToJsonString());
    }

    [TestMethod]
    public void TheFirstKnobIsTheLeastSignificantDigit()
    {
        var space = Templates.For(WorkloadRegistry.Resolve("resnet18.C2"), VtaConfig.Pynq);
        Assert.AreEqual(1, space.Get(0)["tile_h"]);
        Assert.AreEqual(2, space.Get(1)["tile_h"], "tile_b has one choice, so index 1 steps tile_h");
        Assert.AreEqual(1, space.Get(8)["tile_h"]);
        Assert.AreEqual(2, space.Get(8)["tile_w"], "tile_h has 8 choices (the divisors of 56)");
        Assert.AreEqual(2, space.Get(2304 / 2)["h_nthread"], "the last knob is the most significant");
        for (var i = 0L; i < space.Size; i += 97)
        {
            Assert.AreEqual(i, space.FromChoices(space.Get(i).Choices).Index);
        }
    }

    [TestMethod]
    public void SplitChoicesAreTheDivisorsAscending()
    {
        var knob = new SplitKnob("tile_h", 56);
        CollectionAssert.AreEqual(new[] { 1, 2, 4, 7, 8, 14, 28, 56 }, knob.Factors.ToArray());
        Assert.AreEqual("[-1,7]", knob.EntityJson(3).ToJsonString());
    }

    [TestMethod]
    public void KnobsJsonAcceptsValuesAndRejectsWhatTheSpaceDoesNotHave()
    {
        var space = Templates.For(WorkloadRegistry.Resolve("resnet18.C11"), VtaConfig.Pynq);
        Assert.AreEqual(241, space.FromKnobs("""{"tile_h": 7, "tile_co": 16, "oc_nthread": 2}""").Index);
        var bad = Assert.ThrowsExactly<FormatException>(() => space.FromKnobs("""{"tile_h": 5}"""));
        StringAssert.Contains(bad.Message, "tile_h = 5 is not one of its choices (1, 7)");
        var unknown = Assert.ThrowsExactly<FormatException>(() => space.FromKnobs("""{"tile_x": 1}"""));
        StringAssert.Contains(unknown.Message, "no knob \"tile_x\"");
    }
}
