namespace HilTuner.Onnx.Tests;

[TestClass]
public sealed class MlpRegressorTests
{
    private static MlpRegressor Network(int features, int hidden, int seed)
    {
        var random = new Random(seed);
        double Next() => (random.NextDouble() * 2) - 1;
        return new MlpRegressor(
            [.. Enumerable.Range(0, features).Select(i => $"x{i}")],
            [.. Enumerable.Range(0, features).Select(_ => 3 + Next())],
            [.. Enumerable.Range(0, features).Select(_ => 1.5 + Next())],
            [.. Enumerable.Range(0, features * hidden).Select(_ => Next())],
            [.. Enumerable.Range(0, hidden).Select(_ => Next())],
            [.. Enumerable.Range(0, hidden).Select(_ => Next())],
            Next(),
            -7,
            2,
            new Dictionary<string, string> { ["hiltuner.kind"] = "test" });
    }

    [TestMethod]
    public void OnnxRuntimeComputesWhatTheTrainingSideComputes()
    {
        using var temp = new TempDirectory();
        var network = Network(12, 5, seed: 3);
        var path = temp.File("net.onnx");
        network.Save(path);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 200).SelectMany(_ => Enumerable.Range(0, 12).Select(_ => (float)Math.Exp(random.NextDouble() * 12))).ToArray();

        using var predictor = MlpPredictor.Open(path);
        var onnx = predictor.Predict(rows);
        var worst = 0.0;
        for (var i = 0; i < onnx.Length; i++)
        {
            var expected = network.Predict(rows.AsSpan(i * 12, 12));
            worst = Math.Max(worst, Math.Abs(onnx[i] - expected) / expected);
        }

        Assert.IsLessThanOrEqualTo(1e-5, worst, $"largest relative difference {worst}");
        Assert.AreEqual("test", predictor.Info.GetString("hiltuner.kind"));
        Assert.AreEqual(OnnxTreeModelFormat.MlpFormatValue, predictor.Info.Format);
    }

    /// <summary>The bytes a network is written as are pinned (a change of the writer's code must not change them).</summary>
    [TestMethod]
    public void TheBytesWrittenArePinned() =>
        Assert.AreEqual(
            "fe68ce913e7c4b9b2a6357535c97c15833422aaef82eb112bc0c2f16829bbd79",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Network(4, 7, seed: 1).ToBytes())));

    [TestMethod]
    public void AFileReadBackIsTheSameNetwork()
    {
        using var temp = new TempDirectory();
        var network = Network(4, 7, seed: 1);
        var path = temp.File("net.onnx");
        network.Save(path);
        var back = MlpRegressor.Load(path);
        float[] row = [1, 20, 300, 4000];
        Assert.AreEqual(network.Predict(row), back.Predict(row));
        Assert.AreEqual((4 * 7) + 7 + 7 + 1, back.Parameters);
        CollectionAssert.AreEqual(new[] { "x0", "x1", "x2", "x3" }, back.FeatureNames.ToArray());
    }

    [TestMethod]
    public void ADamagedFileIsRefusedNamingTheFile()
    {
        using var temp = new TempDirectory();
        var path = temp.File("net.onnx");
        Network(3, 2, seed: 2).Save(path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<OnnxModelException>(() => MlpPredictor.Open(path));
        StringAssert.Contains(e.Message, path);
    }
}
