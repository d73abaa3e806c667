using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class CalibrateCommandTests
{
    /// <summary>
    /// A board file that marks three parameters free, and a log "measured" on a board whose values are known:
    /// calibrate recovers each within 2%, reports the bad records, and writes the board with a calibration section.
    /// </summary>
    [TestMethod]
    public void CalibrateRecoversASyntheticBoardAndWritesTheCalibratedBoardFile()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-calibrate-");
        try
        {
            var (boardFile, log) = Inputs(dir.FullName);
            var good = SyntheticBoardLog.Write(log, SyntheticBoardLog.TrueBoard(Board.Load(boardFile)));
            var boardText = File.ReadAllText(boardFile);
            var outFile = Path.Combine(dir.FullName, "calibrated.json");

            var (exit, output, error) = Cli.Run(string.Empty, "calibrate", "--log", log, "--board", boardFile, "--out", outFile, "--leave-one-out");
            Assert.AreEqual(0, exit, error);
            var errorLines = Cli.Lines(error);
            Assert.HasCount(5, errorLines, error);
            StringAssert.Contains(errorLines[0], "skipped: another VTA configuration");
            StringAssert.Contains(errorLines[1], "skipped: failed (error_no 4)");
            StringAssert.Contains(errorLines[2], "skipped: unknown task pool2d_packed.vta");
            StringAssert.Contains(errorLines[3], "skipped: measured on HilTuner's sim target, not on a board");
            Assert.AreEqual($"hiltuner: {good} record(s) used, 4 skipped", errorLines[4]);
            StringAssert.Contains(output, "dma_latency_cycles: 24 -> 40 cycles");
            StringAssert.Contains(output, "instruction_overhead_cycles: 4 -> 10 cycles");
            Assert.AreEqual(good, Cli.Lines(output).Count(l => l.StartsWith("dense.", StringComparison.Ordinal) || l.StartsWith("resnet18.", StringComparison.Ordinal)));
            Assert.AreEqual(good, Cli.Lines(output).Count(l => l.StartsWith("leave one layer out: dense.", StringComparison.Ordinal) || l.StartsWith("leave one layer out: resnet18.", StringComparison.Ordinal)));
            StringAssert.Contains(output, "; Spearman rank correlation ");
            Assert.AreEqual(boardText, File.ReadAllText(boardFile), "the input board is never written");

            var calibrated = Board.Load(outFile);
            foreach (var (name, expected) in SyntheticBoardLog.Truth)
            {
                Assert.AreEqual(expected, TimingParameterTable.Find(name)!.Get(calibrated.Timing), 0.02 * expected, name);
            }

            CollectionAssert.AreEqual(SyntheticBoardLog.Truth.Keys.ToArray(), calibrated.FreeTiming.ToArray());
            var section = JsonNode.Parse(calibrated.Calibration!.Value.GetRawText())!;
            Assert.AreEqual(good, section["records"]!.GetValue<int>());
            Assert.AreEqual(log, section["logs"]![0]!.GetValue<string>());
            Assert.IsLessThan(1.001, section["error"]!["worst_factor"]!.GetValue<double>());
            Assert.IsLessThan(1.02, section["leave_one_layer_out"]!["worst_factor"]!.GetValue<double>());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// calibrate works from a tuning run's own log: tune on a co-simulated board whose device runs with known, different
    /// timing (DMA latency 40, instruction overhead 10) while the board file holds the uncalibrated values; every board
    /// record carries the model's prediction beside its measured cost (log summary shows the model's error per layer from
    /// it), and calibrating from that log recovers the device's values within 2%.
    /// </summary>
    [TestMethod]
    public void CalibrateRecoversTheTimingOfTheBoardATuningRunMeasuredOn()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-calibrate-");
        try
        {
            var truth = JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!;
            truth["timing"]!["dma_latency_cycles"] = 40;
            truth["timing"]!["instruction_overhead_cycles"] = 10;
            var truthFile = Path.Combine(dir.FullName, "truth.json");
            File.WriteAllText(truthFile, truth.ToJsonString());
            using var device = new CoSimBoard(truthFile);

            // The board file the tuner and calibrate read: the device's link, the uncalibrated timing, two parameters free.
            var board = JsonNode.Parse(File.ReadAllText(device.WriteBoardFile(device.ProcessLink(), directory: dir.FullName)))!;
            board["timing"] = JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!["timing"]!.DeepClone();
            board["timing"]!["free"] = new JsonArray("dma_latency_cycles", "instruction_overhead_cycles");
            var boardFile = Path.Combine(dir.FullName, "board.json");
            File.WriteAllText(boardFile, board.ToJsonString());

            var log = Path.Combine(dir.FullName, "board.log");
            var (tuneExit, _, tuneError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--tuner", "random", "--trials", "30", "--seed", "5",
                "--repeat", "1", "--target", "board", "--board", boardFile, "--log", log);
            Assert.AreEqual(0, tuneExit, tuneError);
            var ok = File.ReadAllLines(log).Select(l => JsonNode.Parse(l)!).Where(r => r["hiltuner"]!["status"]!.GetValue<string>() == "ok").ToList();
            Assert.IsGreaterThanOrEqualTo(3, ok.Count, "enough measured records to fit two parameters: " + tuneError);
            foreach (var r in ok)
            {
                var measured = r["result"]![0]![0]!.GetValue<double>();
                var model = r["hiltuner"]!["model_seconds"]!.GetValue<double>();
                Assert.IsGreaterThan(model, measured, $"the device is slower than the board file's model, and the record says by how much: {measured / model:F4}");
            }

            // log summary shows the model's error per layer from the predictions the records carry, no board file needed.
            var (summaryExit, summary, summaryError) = Cli.Run(string.Empty, "log", "summary", log);
            Assert.AreEqual(0, summaryExit, summaryError);
            StringAssert.Contains(summary, $"model error as recorded: resnet18.C11: {ok.Count} measured record(s), factor geometric mean ");

            var outFile = Path.Combine(dir.FullName, "calibrated.json");
            var (exit, output, error) = Cli.Run(string.Empty, "calibrate", "--log", log, "--board", boardFile, "--out", outFile);
            Assert.AreEqual(0, exit, error);
            StringAssert.Contains(error, $"hiltuner: {ok.Count} record(s) used");
            var calibrated = Board.Load(outFile);
            Assert.AreEqual(40, calibrated.Timing.DmaLatencyCycles, 0.8, output);
            Assert.AreEqual(10, calibrated.Timing.InstructionOverheadCycles, 0.2, output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    [DataRow("out is the board")]
    [DataRow("out is a log")]
    [DataRow("unknown free parameter")]
    [DataRow("nothing free")]
    public void BadInputIsOneLineAndExitCode2AndNothingIsWritten(string mistake)
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-calibrate-");
        try
        {
            var (boardFile, log) = Inputs(dir.FullName);
            File.WriteAllText(log, "# no records\n");
            var outFile = Path.Combine(dir.FullName, "calibrated.json");
            var boardText = File.ReadAllText(boardFile);
            string[] args = mistake switch
            {
                "out is the board" => ["--board", boardFile, "--out", boardFile],
                "out is a log" => ["--board", boardFile, "--out", log],
                "unknown free parameter" => ["--board", boardFile, "--out", outFile, "--free", "dma_latency"],
                _ => ["--board", Repository.UncalibratedBoardFile, "--out", outFile],
            };
            var (exit, _, error) = Cli.Run(string.Empty, ["calibrate", "--log", log, .. args]);
            Assert.AreEqual(2, exit, error);
            Assert.HasCount(1, Cli.Lines(error), error);
            StringAssert.Contains(error, mistake switch
            {
                "out is the board" => $"--out {boardFile} is one of the inputs",
                "out is a log" => $"--out {log} is one of the inputs",
                "unknown free parameter" => "--free: \"dma_latency\" is not a timing parameter (known: dma_latency_cycles,",
                _ => "sim-uncalibrated.json: no free timing parameter: list them in the board file's timing.free or give --free NAME",
            });
            Assert.AreEqual(boardText, File.ReadAllText(boardFile));
            Assert.AreEqual("# no records\n", File.ReadAllText(log));
            Assert.IsFalse(File.Exists(outFile));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <c>log summary --board</c> gives the timing model's error per workload against the log's board records: none on the
    /// board they were measured on, some on the uncalibrated one.
    /// </summary>
    [TestMethod]
    public void LogSummaryShowsTheModelsErrorPerLayerOnABoard()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-calibrate-");
        try
        {
            var (boardFile, log) = Inputs(dir.FullName);
            SyntheticBoardLog.Write(log, SyntheticBoardLog.TrueBoard(Board.Load(boardFile)));
            var trueBoard = JsonNode.Parse(File.ReadAllText(boardFile))!;
            foreach (var (name, value) in SyntheticBoardLog.Truth)
            {
                trueBoard["timing"]![name] = value;
            }

            var trueFile = Path.Combine(dir.FullName, "true.json");
            File.WriteAllText(trueFile, trueBoard.ToJsonString());

            double WorstOn(string board)
            {
                var (exit, output, error) = Cli.Run(string.Empty, "log", "summary", log, "--board", board);
                Assert.AreEqual(0, exit, error);
                var lines = Cli.Lines(output).Where(l => l.StartsWith("model error on ", StringComparison.Ordinal)).ToList();
                Assert.HasCount(5, lines, output);
                StringAssert.Contains(lines[^1], "record(s) compared, 4 not (failed, from the simulator, or another configuration)");
                return lines.SkipLast(1).Max(l => double.Parse(l[(l.LastIndexOf("worst ", StringComparison.Ordinal) + 6)..], CultureInfo.InvariantCulture));
            }

            Assert.AreEqual(1.0, WorstOn(trueFile), 1e-3);
            Assert.IsGreaterThan(1.05, WorstOn(boardFile));

            var (jsonExit, json, jsonError) = Cli.Run(string.Empty, "log", "summary", log, "--board", trueFile, "--format", "json");
            Assert.AreEqual(0, jsonExit, jsonError);
            Assert.HasCount(4, JsonNode.Parse(json)!["model_error"]!["workloads"]!.AsArray());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The README's table of timing parameters lists every parameter with its unit and default.</summary>
    [TestMethod]
    public void TheReadmeDocumentsEveryTimingParameter()
    {
        var readme = File.ReadAllLines(Path.Combine(Cli.RepositoryRoot, "README.md"));
        foreach (var p in TimingParameterTable.All)
        {
            var row = readme.SingleOrDefault(l => l.StartsWith($"| `{p.Name}` |", StringComparison.Ordinal));
            Assert.IsNotNull(row, $"README has no row for {p.Name}");
            StringAssert.Contains(row, $"| {p.Unit} | {p.Default.ToString(CultureInfo.InvariantCulture)} |", p.Name);
        }
    }

    /// <summary>The uncalibrated default board with three parameters marked free, and the path of a log beside it.</summary>
    private static (string Board, string Log) Inputs(string dir)
    {
        var board = JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!;
        board["timing"]!["free"] = new JsonArray([.. SyntheticBoardLog.Truth.Keys.Select(k => (JsonNode?)JsonValue.Create(k))]);
        var boardFile = Path.Combine(dir, "board.json");
        File.WriteAllText(boardFile, board.ToJsonString());
        return (boardFile, Path.Combine(dir, "measured.log"));
    }
}
