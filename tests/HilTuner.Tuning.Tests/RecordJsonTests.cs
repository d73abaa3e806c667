using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Log;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class RecordJsonTests
{
    /// <summary>A record of a ZCU104 VTA tuning log written by AutoTVM (TVM 0.8.dev0), as it appears in the log.</summary>
    internal const string Zcu104Line =
        """{"input": ["ext_dev -keys=vta,cpu -device=vta -model=zcu104_1x16x16_i8w8a32_15_15_18_17", "conv2d_packed.vta", [["TENSOR", [1, 32, 7, 7, 1, 16], "int8"], ["TENSOR", [32, 32, 3, 3, 16, 16], "int8"], [1, 1], [1, 1, 1, 1], [1, 1], "NCHW1n16c", "int32"], {}], "config": {"index": 241, "code_hash": null, "entity": [["tile_b", "sp", [-1, 1]], ["tile_h", "sp", [-1, 7]], ["tile_w", "sp", [-1, 1]], ["tile_ci", "sp", [-1, 1]], ["tile_co", "sp", [-1, 16]], ["oc_nthread", "ot", 2], ["h_nthread", "ot", 1]]}, "result": [[0.0096332996], 0, 1.5688602924346924, 1740456275.4953175], "version": 0.2, "tvm_version": "0.8.dev0"}""";

    /// <summary>TVM's TopHub record for ResNet-18 C10 on PYNQ (explicit outer split factors instead of -1).</summary>
    internal const string TopHubLine =
        """{"input": ["ext_dev -device=vta -keys=cpu -model=pynq_1x16_i8w8a32_15_15_18_17", "conv2d_packed.vta", [["TENSOR", [1, 16, 14, 14, 1, 16], "int8"], ["TENSOR", [32, 16, 1, 1, 16, 16], "int8"], [2, 2], [0, 0, 0, 0], [1, 1], "NCHW1n16c", "int32"], {}], "config": {"index": 203, "code_hash": null, "entity": [["tile_b", "sp", [1, 1]], ["tile_h", "sp", [1, 7]], ["tile_w", "sp", [1, 7]], ["tile_ci", "sp", [16, 1]], ["tile_co", "sp", [2, 16]], ["oc_nthread", "ot", 2], ["h_nthread", "ot", 1]]}, "result": [[0.0010809022], 0, 8.027522563934326, 1562816721.1013265], "version": 0.2, "tvm_version": "0.7.dev0"}""";

    /// <summary>
    /// A failed measurement as AutoTVM logged it (quoted in a public conversion script): the old v0.1 layout,
    /// error_no 1 (INSTANTIATION_ERROR), costs <c>[1e9]</c>.
    /// </summary>
    internal const string ErrorLineV01 =
        """{"i": ["cuda -model=unknown", "topi_nn_depthwise_conv2d_nchw", [["TENSOR", [1, 512, 14, 14], "float32"], ["TENSOR", [512, 1, 3, 3], "float32"], [2, 2], [1, 1, 1, 1], [1, 1], "float32"], {}, ["depthwise_conv2d_nchw", [1, 512, 14, 14, "float32"], [512, 1, 3, 3, "float32"], [2, 2], [1, 1, 1, 1], [1, 1], "float32"], {"i": 484, "t": "direct", "c": null, "e": [["tile_f", "sp", [-1, 16, 32, 1]], ["tile_y", "sp", [-1, 1, 7, 1]], ["tile_x", "sp", [-1, 1, 1, 1]], ["auto_unroll_max_step", "ot", 0], ["unroll_explicit", "ot", 0]]}], "r": [[1000000000.0], 1, 0.029305219650268555, 1598686547.216569], "v": 0.1}""";

    [TestMethod]
    [DataRow(Zcu104Line)]
    [DataRow(TopHubLine)]
    public void AutoTvmRecordsAreWrittenBackByteForByte(string line)
    {
        var record = RecordJson.Read(line);
        Assert.AreEqual(line, RecordJson.Write(record));
    }

    [TestMethod]
    public void AnAutoTvmRecordReadsAsTheTrialItDescribes()
    {
        var r = RecordJson.Read(Zcu104Line);
        Assert.AreEqual("conv2d_packed.vta", r.TaskName);
        Assert.AreEqual("zcu104_1x16x16_i8w8a32_15_15_18_17", AutoTvmTask.ModelOf(r.Target));
        Assert.AreEqual(241, r.Index);
        Assert.IsNull(r.CodeHash);
        Assert.AreEqual(7, r.Entity.Count);
        CollectionAssert.AreEqual(new[] { 0.0096332996 }, r.Costs.ToArray());
        Assert.AreEqual(0, r.ErrorNo);
        Assert.IsTrue(r.Succeeded);
        Assert.AreEqual(1.5688602924346924, r.AllCost);
        Assert.AreEqual(1740456275.4953175, r.Timestamp);
        Assert.AreEqual("0.8.dev0", r.TvmVersion);
        Assert.IsNull(r.Facts);

        // C11 has 2·7·7·512·512·9 = 231 211 008 operations; at 9.63 ms that is 24.0 GFLOPS.
        Assert.AreEqual(231_211_008 / 0.0096332996 / 1e9, r.Gflops(231_211_008), 1e-9);
    }

    [TestMethod]
    public void AutoTvmsErrorRowReadsAsAFailureAndIsWrittenAsV02()
    {
        var r = RecordJson.Read(ErrorLineV01);
        Assert.AreEqual(0.1, r.Version);
        Assert.AreEqual("cuda -model=unknown", r.Target);
        Assert.AreEqual("topi_nn_depthwise_conv2d_nchw", r.TaskName);
        Assert.AreEqual(484, r.Index);
        Assert.AreEqual(1, r.ErrorNo);
        Assert.IsFalse(r.Succeeded);
        CollectionAssert.AreEqual(new[] { TuningRecord.FailureCost }, r.Costs.ToArray());
        Assert.AreEqual(0, r.Gflops(1_000_000));

        // The same measurement as AutoTVM's v0.2 encoder lays it out.
        var expected = """{"input": ["cuda -model=unknown", "topi_nn_depthwise_conv2d_nchw", [["TENSOR", [1, 512, 14, 14], "float32"], ["TENSOR", [512, 1, 3, 3], "float32"], [2, 2], [1, 1, 1, 1], [1, 1], "float32"], {}], "config": {"index": 484, "code_hash": null, "entity": [["tile_f", "sp", [-1, 16, 32, 1]], ["tile_y", "sp", [-1, 1, 7, 1]], ["tile_x", "sp", [-1, 1, 1, 1]], ["auto_unroll_max_step", "ot", 0], ["unroll_explicit", "ot", 0]]}, "result": [[1000000000.0], 1, 0.029305219650268555, 1598686547.216569], "version": 0.2, "tvm_version": ""}""";
        Assert.AreEqual(expected, RecordJson.Write(r));
    }

    [TestMethod]
    public void HilTunersOwnRecordsRoundTripWithTheirFacts()
    {
        var record = new TuningRecord
        {
            Target = "ext_dev -keys=vta,cpu -device=vta -model=pynq_1x16_i8w8a32_15_15_18_17",
            TaskName = "conv2d_packed.vta",
            Args = AutoTvmTask.Args(WorkloadRegistry.Resolve("resnet18.C11"), VtaConfig.Pynq),
            Index = 17,
            Entity = [new JsonArray("tile_b", "sp", new JsonArray(-1, 1)), new JsonArray("oc_nthread", "ot", 2)],
            Costs = [TuningRecord.FailureCost],
            ErrorNo = 7,
            AllCost = 0.25,
            Timestamp = 1763900000.125,
            Facts = new()
            {
                Status = "hang",
                Workload = "resnet18.C11",
                TargetKind = "sim",
                Board = "sim",
                VtaConfig = "1x16_i8w8a32_15_15_18_17",
                Tuner = "xgb",
                Trial = 3,
                Cycles = 1234567,
                Error = "the \"compute\" module waits for a token 'g2c' — never pushed\n",
                Features = new Dictionary<string, double> { ["uops"] = 12, ["intensity"] = 0.5 },
            },
        };
        var line = RecordJson.Write(record);
        StringAssert.Contains(line, "\"result\": [[1000000000.0], 7, 0.25, 1763900000.125]");

        // As Python writes strings: quotes escaped, apostrophes as they are, non-ASCII as \u escapes.
        StringAssert.Contains(line, "the \\\"compute\\\" module waits for a token 'g2c' \\u2014 never pushed\\n");
        Assert.IsFalse(line.Contains('\n'));

        var back = RecordJson.Read(line);
        Assert.AreEqual(record.Index, back.Index);
        Assert.AreEqual(record.ErrorNo, back.ErrorNo);
        CollectionAssert.AreEqual(record.Costs.ToArray(), back.Costs.ToArray());
        Assert.AreEqual(record.Timestamp, back.Timestamp);
        Assert.IsTrue(JsonNode.DeepEquals(record.Entity, back.Entity));
        var facts = record.Facts!;
        Assert.IsNotNull(back.Facts);
        Assert.AreEqual(facts, back.Facts with { Features = facts.Features });
        CollectionAssert.AreEquivalent(facts.Features!.ToList(), back.Facts.Features!.ToList());
        Assert.AreEqual(line, RecordJson.Write(back));
    }

    [TestMethod]
    [DataRow(0.0096332996, "0.0096332996")]
    [DataRow(1e9, "1000000000.0")]
    [DataRow(1740456275.4953175, "1740456275.4953175")]
    [DataRow(0.2, "0.2")]
    [DataRow(1e-5, "1e-05")]
    [DataRow(1.5e-7, "1.5e-07")]
    [DataRow(0.0001, "0.0001")]
    [DataRow(1e16, "1e+16")]
    [DataRow(1234567890123456.0, "1234567890123456.0")]
    [DataRow(-2.5, "-2.5")]
    [DataRow(0.0, "0.0")]
    [DataRow(123.0, "123.0")]
    public void FloatsAreWrittenAsPythonsRepr(double value, string python) =>
        Assert.AreEqual(python, PythonJson.Float(value));

    [TestMethod]
    [DataRow("{\"input\": 3}", "\"input\" must be a list of 4")]
    [DataRow("[1, 2]", "a record must be a JSON object")]
    [DataRow("{\"input\": [\"t\", \"n\", [], {}], \"config\": {\"index\": 1, \"entity\": []}, \"result\": [[\"x\"], 0, 0, 0]}", "result[0][0] (cost) must be a number, found \"x\"")]
    [DataRow("{\"input\": [\"t\", \"n\", [], {}], \"config\": {\"index\": 1.5, \"entity\": []}, \"result\": [[1], 0, 0, 0]}", "config.index must be a number")]
    [DataRow("{\"input\": [\"t\", \"n\", [], {}], \"config\": {\"index\": 1, \"entity\": []}, \"result\": [[1], 0, 0, 0], \"hiltuner\": {\"workload\": \"w\"}}", "hiltuner.status is missing")]
    [DataRow("{\"input\": [\"t\", \"n\", [], {}], \"config\": {\"index\": 1, \"entity\": []}, \"result\": [[1], 0, 0, 0], \"hiltuner\": {\"status\": 3, \"workload\": \"w\"}}", "hiltuner.status must be a string")]
    [DataRow("{\"input\": [\"t\", \"n\"", "not valid JSON")]
    public void AMalformedRecordIsRefusedSayingWhatIsWrong(string line, string message)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => RecordJson.Read(line));
        StringAssert.Contains(e.Message, message);
    }

    /// <summary><paramref name="line"/> with one part replaced (<paramref name="change"/> is <c>OLD=NEW</c>).</summary>
    private static string Changed(string line, string change)
    {
        var at = change.IndexOf('=', StringComparison.Ordinal);
        Assert.Contains(change[..at], line);
        return line.Replace(change[..at], change[(at + 1)..], StringComparison.Ordinal);
    }

    private static TuningRecord ReadChanged(string change) => RecordJson.Read(Changed(Zcu104Line, change));

    /// <summary>
    /// Records that parse but cannot describe a trial are refused when read: a successful trial whose cost is 0,
    /// negative, infinite or missing would otherwise become the log's best; an error number outside AutoTVM's.
    /// </summary>
    [TestMethod]
    [DataRow("[[0.0096332996], 0,=[[0.0], 0,", "result[0][0] (cost) is 0; a successful record's costs are positive, finite seconds")]
    [DataRow("[[0.0096332996], 0,=[[-1.0], 0,", "result[0][0] (cost) is -1;")]
    [DataRow("[[0.0096332996], 0,=[[0.5, 1e400], 0,", "result[0][1] (cost)")]
    [DataRow("[[0.0096332996], 0,=[[], 0,", "a successful record (error_no 0) has no costs")]
    [DataRow("[[0.0096332996], 0,=[[1000000000.0], 99,", "result[1] (error_no) is 99; AutoTVM's error numbers are 0 to 8")]
    [DataRow("[[0.0096332996], 0,=[[1000000000.0], -1,", "result[1] (error_no) is -1")]
    public void ARecordThatCannotDescribeATrialIsRefused(string change, string message)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => ReadChanged(change));
        StringAssert.Contains(e.Message, message);
    }

    [TestMethod]
    public void AFailedRecordMayCarryAnyCost() =>
        Assert.IsFalse(ReadChanged("[[0.0096332996], 0,=[[0.0], 4,").Succeeded);

    /// <summary>HilTuner's facts must agree with the record: a known status, and a built-in workload's own arguments.</summary>
    [TestMethod]
    [DataRow("\"status\": \"ok\"=\"status\": \"banana\"", "hiltuner.status \"banana\" is not a status (known: ok, compile_error,")]
    [DataRow("\"workload\": \"resnet18.C11\"=\"workload\": \"resnet18.C9\"", "hiltuner.workload is resnet18.C9, but the record's task (conv2d_packed.vta) and args")]
    [DataRow("\"workload\": \"resnet18.C11\"=\"workload\": \"dense.512\"", "hiltuner.workload is dense.512, but")]
    public void FactsThatContradictTheRecordAreRefused(string change, string message)
    {
        var line = RecordJson.Write(RecordJson.Read(Zcu104Line) with
        {
            Facts = new() { Status = "ok", Workload = "resnet18.C11", TargetKind = "sim", Board = "zcu104", VtaConfig = "1x16x16_i8w8a32_15_15_18_17", Tuner = "xgb", Trial = 1 },
        });
        Assert.AreEqual("resnet18.C11", RecordJson.Read(line).Facts!.Workload, "the record as written is read");
        var e = Assert.ThrowsExactly<FormatException>(() => RecordJson.Read(Changed(line, change)));
        StringAssert.Contains(e.Message, message);
    }
}
