using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Tests.Shared;
using HilTuner.Tuning.CoSearch;
using HilTuner.Tuning.Log;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class CoSearchTests
{
    private static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private const string Tiny = """
        { "name": "tiny", "input": {"height": 14, "width": 14, "channels": 64},
          "stages": [ {"depth": [1], "width": [64, 128], "kernel": [3], "stride": [1]}, {"depth": [1, 2], "width": [128], "kernel": [1, 3], "stride": [2]} ],
          "head": {"classes": 64} }
        """;

    private static Architecture Arch(params StageChoice[] stages) => new(stages);

    [TestMethod]
    public void TheExampleSpaceHoldsResNet18AndExpandsItToItsPackedLayers()
    {
        var space = ArchitectureSpace.Load(Path.Combine(Repository.Root, "examples", "resnet-family.json"));
        var resnet18 = Arch(new(2, 64, 3, 1), new(2, 128, 3, 2), new(2, 256, 3, 2), new(2, 512, 3, 2));
        Assert.IsNull(space.Problem(resnet18, VtaConfig.Pynq));
        var layers = space.Layers(resnet18, VtaConfig.Pynq);

        // ResNet-18's 16 3×3 convolutions, 3 projections and the classifier; its distinct conv shapes are VTA's C2–C11.
        Assert.AreEqual(16 + 3 + 1, layers.Count);
        var shapes = layers.OfType<Conv2dWorkload>().Select(c => c with { Name = string.Empty }).ToHashSet();
        var vta = WorkloadRegistry.ResNet18.Select(c => c with { Name = string.Empty }).ToHashSet();
        Assert.IsTrue(shapes.SetEquals(vta), string.Join(", ", shapes.Select(s => s.Shape)));
        Assert.AreEqual(new DenseWorkload("resnet-family.fc512-1008", 1, 512, 1008), layers[^1]);
        Assert.AreEqual(256, space.Size);
    }

    [TestMethod]
    public void AWidthThatIsNotAMultipleOfBlockIsNotPackableAndTheSpaceFileIsChecked()
    {
        var space = ArchitectureSpace.Parse(Tiny, "tiny.json");
        var narrow = VtaConfig.Pynq with { LogBlock = 3 };
        var wide = VtaConfig.Pynq with { LogBlock = 7 };
        var a = Arch(new(1, 64, 3, 1), new(1, 128, 3, 2));
        Assert.IsNull(space.Problem(a, narrow));
        StringAssert.Contains(space.Problem(a, wide), "not a multiple of BLOCK 128");

        var e = Assert.ThrowsExactly<CoSearchException>(() => ArchitectureSpace.Parse(Tiny.Replace("\"kernel\": [3]", "\"kernel\": []"), "s.json"));
        StringAssert.Contains(e.Message, "s.json: stages[0] \"kernel\" must be a non-empty array");
        e = Assert.ThrowsExactly<CoSearchException>(() => ArchitectureSpace.Parse(Tiny.Replace("\"head\"", "\"heads\""), "s.json"));
        StringAssert.Contains(e.Message, "unknown key \"heads\"");
    }

    [TestMethod]
    public void TheResourceEstimateFitsVtasPynqBuildOnTheZynq7020AndRejectsADoubleBlock()
    {
        var part = FpgaPart.Of(Board.Load(Repository.BoardFile("pynq-z1.json")))!;
        Assert.AreEqual((220, 140), (part.Dsp, part.Bram36));
        var pynq = ResourceEstimate.Of(VtaConfig.Pynq);

        // 256 int8 multipliers, two per DSP; the weight buffer, 2048 bits wide and 1024 deep, takes 57 RAMB36 as 1K×36.
        Assert.AreEqual(128, pynq.Dsp);
        Assert.AreEqual(57, pynq.Buffers.Single(b => b.Buffer == "weight").Bram36);
        Assert.IsNull(pynq.Problem(part), pynq.ToString());
        var wide = ResourceEstimate.Of(VtaConfig.Pynq with { LogBlock = 5 });
        StringAssert.Contains(wide.Problem(part), "needs 512 DSP");
        Assert.IsNull(wide.Problem(FpgaPart.Of(Board.Load(Repository.BoardFile("zcu104.json")))!), wide.ToString());
    }

    [TestMethod]
    public void TheAccuracyTableGivesTheGapAndNamesWhatIsWrong()
    {
        var dir = NewDirectory();
        var path = Path.Combine(dir, "acc.csv");
        var a = Arch(new StageChoice(1, 64, 3, 1));
        File.WriteAllText(path, $"architecture,top1,train_top1\n{a.Encoding},0.70,0.80\n");
        var acc = AccuracyTable.Load(path).Of(a, "{}");
        Assert.AreEqual(0.1, acc.Gap, 1e-12);
        Assert.AreEqual(0.70 - (0.5 * 0.1), acc.Score(0.5), 1e-12);

        File.WriteAllText(path, $"architecture,top1\n{a.Encoding},71\n");
        var e = Assert.ThrowsExactly<CoSearchException>(() => AccuracyTable.Load(path));
        Assert.AreEqual($"{path}: line 2: \"71\" is not an accuracy (a number from 0 to 1)", e.Message);
        File.WriteAllText(path, "architecture,top1\nd9w16k3s1,0.5\n");
        e = Assert.ThrowsExactly<CoSearchException>(() => AccuracyTable.Load(path).Of(a, "{}"));
        StringAssert.Contains(e.Message, $"no row for architecture \"{a.Encoding}\"");
    }

    [TestMethod]
    public void ADefaultPointIsDominatedWhenAnotherNetworkTunedIsFasterAndAsAccurate()
    {
        Evaluated P(string name, double top1, double tuned, double fallback) =>
            new(Arch(new StageChoice(1, name.Length * 16, 3, 1)), Board.Default, [], new Accuracy(top1, null), tuned, fallback);

        // By default latency, a (fast by default) is on the front; tuned, b is both faster and more accurate.
        var a = P("a", 0.60, 0.010, 0.020);
        var b = P("bb", 0.62, 0.008, 0.040);
        var c = P("ccc", 0.70, 0.030, 0.050);
        var result = CoSearchResult.Of(new SearchOutcome([a, b, c], b), new SearchOutcome([a, b, c], a), 1);
        CollectionAssert.AreEqual(new[] { b, c }, result.Front.ToArray());
        CollectionAssert.AreEqual(new[] { a, b, c }, result.DefaultFront.ToArray());
        Assert.AreEqual(1, result.DominatedDefaultPoints);

        // The baseline chose a (0.60); the fastest co-search candidate at least as accurate is b: 10 ms against 8 ms.
        Assert.AreSame(b, result.Match);
        Assert.AreEqual(0.010 / 0.008, result.Gain!.Value, 1e-12);
        Assert.AreEqual(0.020 / 0.008, result.GainOverDefaultSchedules!.Value, 1e-12);
    }

    [TestMethod]
    public void TheGeneralizationGapTermDecidesWhetherAnOverfittingNetworkDominates()
    {
        // b is faster and more accurate on validation data than a, but 8 points better on its training data.
        var a = new Evaluated(Arch(new StageChoice(1, 16, 3, 1)), Board.Default, [], new Accuracy(0.60, 0.60), 0.010, 0.020);
        var b = new Evaluated(Arch(new StageChoice(1, 32, 3, 1)), Board.Default, [], new Accuracy(0.62, 0.70), 0.008, 0.040);
        var searches = (new SearchOutcome([a, b], b), new SearchOutcome([a, b], a));
        var plain = CoSearchResult.Of(searches.Item1, searches.Item2, 0);
        Assert.AreEqual(1, plain.DominatedDefaultPoints);
        CollectionAssert.AreEqual(new[] { b }, plain.Front.ToArray());

        // With the gap weighed in, b's objective is 0.62 − 0.08 = 0.54 < 0.60: a stays on the tuned front, undominated.
        var weighed = CoSearchResult.Of(searches.Item1, searches.Item2, 1);
        Assert.AreEqual(0, weighed.DominatedDefaultPoints);
        CollectionAssert.AreEqual(new[] { b, a }, weighed.Front.ToArray());
        Assert.AreSame(a, weighed.Match);
    }

    [TestMethod]
    public void TheLibraryTunesEachBlockOnceProbesTheFallbackAndResumesFromItsLog()
    {
        var dir = NewDirectory();
        var log = Path.Combine(dir, "schedules.log");
        var board = Board.Default;
        var block = new Conv2dWorkload("t.c7x7_128-128_k3s1", 1, 7, 7, 128, 128, 3, 3, 1, 1, 1, 1);
        BlockTimes first;
        int measured;
        using (var library = new ScheduleLibrary(log, 3, 0, b => new SimTarget(b)))
        {
            first = library.Ensure(board, block);
            Assert.AreSame(first, library.Ensure(board, block));
            measured = library.Measured;
        }

        var records = TuningLog.Read(log, out _);
        Assert.AreEqual(measured, records.Count);
        Assert.AreEqual(0, records[0].Index, "the fallback configuration is measured first");
        Assert.AreEqual(records.Count(r => r.Facts!.Tuner == "grid") + 3, records.Count, "the budget is the validity-first tuner's, beyond the default probes");
        Assert.IsTrue(records.Where(r => r.Facts!.Tuner != "grid").All(r => r.Facts!.Tuner == "hiltuner"));
        Assert.AreEqual(records.Count, records.Select(r => r.Index).Distinct().Count(), "nothing measured twice");
        Assert.IsNotNull(first.BestSeconds);
        Assert.AreEqual(records.Where(r => r.Succeeded).Min(r => r.MeanCost), first.BestSeconds!.Value, 1e-12);
        Assert.AreEqual(records.First(r => r.Succeeded).MeanCost, first.DefaultSeconds!.Value, 1e-12);
        Assert.AreEqual(records.First(r => r.Succeeded).Index, first.DefaultIndex);

        using var again = new ScheduleLibrary(log, 3, 0, b => new SimTarget(b));
        var resumed = again.Ensure(board, block);
        Assert.AreEqual(0, again.Measured);
        Assert.AreEqual(first.BestSeconds!.Value, resumed.BestSeconds!.Value, 1e-12);
        Assert.AreEqual(first.DefaultIndex, resumed.DefaultIndex);
    }
}
