using Google.Protobuf;
using HilTuner.Onnx;
using HilTuner.Onnx.Proto;

namespace HilTuner.Onnx.Tests;

/// <summary>What the files hold, and how damaged or foreign files are reported.</summary>
[TestClass]
public sealed class FileFormatTests
{
    private static readonly string[] Features = ["tile_b", "tile_h", "tile_w", "oc_nthread", "name with \"quotes\" and ü"];

    [TestMethod]
    public void MetadataFeatureNamesAndHeadsRoundTrip()
    {
        using var directory = new TempDirectory();
        string path = directory.File("nested/dir/gate.onnx");
        var metadata = new Dictionary<string, string>
        {
            ["vta_config"] = """{"TARGET":"zcu104","LOG_BATCH":0,"LOG_BLOCK":4}""",
            ["threshold"] = 0.35.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["training_rows"] = "6000",
            ["note"] = "multi\nline ✓",
            ["empty"] = string.Empty,
        };
        OnnxTreeModelWriter.WriteFile(SmallModel(metadata), path);

        var info = OnnxTreeModelReader.ReadInfo(path);
        Assert.AreEqual(path, info.Source);
        CollectionAssert.AreEqual(Features, info.FeatureNames.ToArray());
        CollectionAssert.AreEqual(new[] { "p_fail", "p_runtime_error" }, info.HeadNames.ToArray());
        CollectionAssert.AreEquivalent(metadata.ToList(), info.Metadata.ToList());
        Assert.AreEqual(0.35, info.GetDouble("threshold"));
        Assert.AreEqual(6000L, info.GetInt64("training_rows"));
        Assert.IsTrue(info.TryGetDouble("training_rows", out double rows) && rows == 6000);
        Assert.IsFalse(info.TryGetInt64("note", out _));
        Assert.IsNull(info.GetString("absent"));
        var missing = Assert.ThrowsExactly<OnnxModelException>(() => info.GetRequiredString("absent"));
        StringAssert.Contains(missing.Message, path);
        var notNumber = Assert.ThrowsExactly<OnnxModelException>(() => info.GetDouble("note"));
        StringAssert.Contains(notNumber.Message, "not a number");
        var notInteger = Assert.ThrowsExactly<OnnxModelException>(() => info.GetInt64("threshold"));
        StringAssert.Contains(notInteger.Message, "metadata key 'threshold' holds '0.35', not an integer");
        Assert.AreEqual("hiltuner", info.ProducerName);
        Assert.AreEqual(8L, info.IrVersion);
        Assert.AreEqual(15L, info.Opsets[string.Empty]);
        Assert.AreEqual(3L, info.Opsets["ai.onnx.ml"]);
        StringAssert.Contains(info.DocString, "p_runtime_error");

        using var predictor = OnnxTreePredictor.Open(path);
        Assert.AreEqual(Features.Length, predictor.FeatureCount);
        Assert.AreEqual(1, predictor.Info.IndexOfHead("p_runtime_error"));
        Assert.AreEqual("zcu104", System.Text.Json.JsonDocument.Parse(predictor.Info.GetRequiredString("vta_config"))
            .RootElement.GetProperty("TARGET").GetString());
    }

    [TestMethod]
    public void WritingIsDeterministic() =>
        CollectionAssert.AreEqual(OnnxTreeModelWriter.ToBytes(SmallModel()), OnnxTreeModelWriter.ToBytes(SmallModel()));

    /// <summary>
    /// The bytes themselves are pinned: the edge predictor and the C agent read these files, so a change of the writer's
    /// code must not change what it writes (a deliberate format change updates the hash here).
    /// </summary>
    [TestMethod]
    public void TheBytesWrittenArePinned() =>
        Assert.AreEqual(
            "8772d0fdbbcb98a5661951ffe09043e1fb0a531f95c8830fe3a987cbae19333b",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(OnnxTreeModelWriter.ToBytes(SmallModel(Metadata)))));

    [TestMethod]
    public void FeatureMismatchesAreReportedClearly()
    {
        using var directory = new TempDirectory();
        string path = directory.File("gate.onnx");
        OnnxTreeModelWriter.WriteFile(SmallModel(), path);
        var info = OnnxTreeModelReader.ReadInfo(path);

        info.EnsureFeatureNames(Features);
        info.EnsureFeatureCount(Features.Length);
        info.EnsureHeads(["p_fail"]);

        var fewer = Assert.ThrowsExactly<OnnxModelException>(() => info.EnsureFeatureNames(Features[..4]));
        StringAssert.Contains(fewer.Message, path);
        StringAssert.Contains(fewer.Message, "takes 5 features but 4 were expected");

        var more = Assert.ThrowsExactly<OnnxModelException>(() => info.EnsureFeatureNames([.. Features, "extra"]));
        StringAssert.Contains(more.Message, "takes 5 features but 6 were expected");
        StringAssert.Contains(more.Message, "lacks 'extra'");

        string[] swapped = [Features[0], Features[2], Features[1], Features[3], Features[4]];
        var order = Assert.ThrowsExactly<OnnxModelException>(() => info.EnsureFeatureNames(swapped));
        StringAssert.Contains(order.Message, "feature 1 is 'tile_h' in the model but 'tile_w' was expected");

        var count = Assert.ThrowsExactly<OnnxModelException>(() => info.EnsureFeatureCount(21));
        StringAssert.Contains(count.Message, "takes 5 features but 21 were expected");

        var head = Assert.ThrowsExactly<OnnxModelException>(() => info.EnsureHeads(["p_timeout"]));
        StringAssert.Contains(head.Message, "no head 'p_timeout'");

        using var predictor = OnnxTreePredictor.Open(path);
        var rows = Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(new float[21]));
        StringAssert.Contains(rows.Message, "not a whole number of rows of 5 features");
        Assert.ThrowsExactly<ArgumentException>(() => predictor.PredictRow(new float[4], new float[2]));
        Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(new float[10], new float[3]));
    }

    [TestMethod]
    public void MissingAndEmptyFilesAreReported()
    {
        using var directory = new TempDirectory();
        string missing = directory.File("absent.onnx");
        var e = Assert.ThrowsExactly<OnnxModelException>(() => OnnxTreePredictor.Open(missing));
        StringAssert.Contains(e.Message, missing);
        StringAssert.Contains(e.Message, "does not exist");

        string empty = directory.File("empty.onnx");
        File.WriteAllBytes(empty, []);
        e = Assert.ThrowsExactly<OnnxModelException>(() => OnnxTreeModelReader.ReadInfo(empty));
        StringAssert.Contains(e.Message, empty);
        StringAssert.Contains(e.Message, "empty");
    }

    [TestMethod]
    public void TruncatedFilesAreReported()
    {
        using var directory = new TempDirectory();
        byte[] bytes = OnnxTreeModelWriter.ToBytes(SmallModel());
        foreach (int length in new[] { 1, 7, bytes.Length / 3, bytes.Length / 2, bytes.Length - 80, bytes.Length - 10, bytes.Length - 1 })
        {
            string path = directory.File($"truncated-{length}.onnx");
            File.WriteAllBytes(path, bytes[..length]);
            var e = Assert.ThrowsExactly<OnnxModelException>(() => OnnxTreePredictor.Open(path), $"length {length}");
            StringAssert.Contains(e.Message, path);
            Assert.AreEqual(path, e.ModelSource);
        }
    }

    [TestMethod]
    public void CorruptedBytesAreReported()
    {
        using var directory = new TempDirectory();
        byte[] original = OnnxTreeModelWriter.ToBytes(SmallModel());
        var random = new Random(3);
        int checksumFailures = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            byte[] bytes = [.. original];
            int at = random.Next(bytes.Length);
            bytes[at] ^= (byte)(1 << random.Next(8));
            string path = directory.File($"corrupt-{trial}.onnx");
            File.WriteAllBytes(path, bytes);
            var e = Assert.ThrowsExactly<OnnxModelException>(() => OnnxTreePredictor.Open(path), $"byte {at}");
            StringAssert.Contains(e.Message, path);
            checksumFailures += e.Message.Contains("checksum", StringComparison.Ordinal) ? 1 : 0;
        }

        // A flipped bit inside a float or a name still parses as protobuf: only the checksum catches it.
        Assert.IsGreaterThan(10, checksumFailures);
    }

    [TestMethod]
    public void RandomBytesAreReported()
    {
        using var directory = new TempDirectory();
        var random = new Random(4);
        foreach (int size in new[] { 16, 1000, 65536 })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            string path = directory.File($"random-{size}.bin");
            File.WriteAllBytes(path, bytes);
            var e = Assert.ThrowsExactly<OnnxModelException>(() => OnnxTreePredictor.Open(path));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, "not an ONNX model");
        }

        string text = directory.File("model.json");
        File.WriteAllText(text, """{"trees": []}""");
        var textError = Assert.ThrowsExactly<OnnxModelException>(() => OnnxTreeModelReader.ReadInfo(text));
        StringAssert.Contains(textError.Message, text);
    }

    [TestMethod]
    public void ForeignOnnxModelsAreReported()
    {
        // A valid ONNX model (Identity) that HilTuner did not write.
        var foreign = new ModelProto { IrVersion = 8, ProducerName = "elsewhere", Graph = new GraphProto { Name = "g" } };
        foreign.OpsetImport.Add(new OperatorSetIdProto { Version = 15 });
        foreign.Graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "y" } });
        using var directory = new TempDirectory();
        string path = directory.File("identity.onnx");
        File.WriteAllBytes(path, foreign.ToByteArray());
        var e = Assert.ThrowsExactly<OnnxModelException>(() => OnnxTreePredictor.Open(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "not a HilTuner calibrated tree-ensemble model");

        // One of ours with a checksum that no longer covers what precedes it (metadata appended after writing).
        byte[] ours = OnnxTreeModelWriter.ToBytes(SmallModel());
        var extra = new ModelProto();
        extra.MetadataProps.Add(new StringStringEntryProto { Key = "added", Value = "later" });
        string appended = directory.File("appended.onnx");
        File.WriteAllBytes(appended, [.. ours, .. extra.ToByteArray()]);
        e = Assert.ThrowsExactly<OnnxModelException>(() => OnnxTreeModelReader.ReadInfo(appended));
        StringAssert.Contains(e.Message, appended);
    }

    private static readonly Dictionary<string, string> Metadata = new() { ["threshold"] = "0.35", ["training_rows"] = "6000" };

    internal static CalibratedTreeModel SmallModel(IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var a = new RegressionTreeArrays([1, ~0], [~2, ~1], [3, 4], [1.5f, 0.25f], [0.5, -0.25, 1.25]);
        var b = new RegressionTreeArrays([~0], [~1], [0], [8f], [-1.0, 1.0]);
        var fail = new CalibratedTreeHead("p_fail", [a, b], null, 0, -1.3, 0.2);
        var error = new CalibratedTreeHead("p_runtime_error", [b], [0.5], 0.1, -0.9, -0.4);
        return new CalibratedTreeModel(Features, [fail, error], metadata);
    }
}
