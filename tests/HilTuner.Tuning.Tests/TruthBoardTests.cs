using System.Text.Json.Nodes;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware.Replay;
using HilTuner.Tests.Shared;
using HilTuner.Tuning.Benchmarks;
using HilTuner.Tuning.Session;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.Tests;

/// <summary>The benchmark on truth boards: what reaches a tuner of the truth, and what it learns from.</summary>
[TestClass]
public sealed class TruthBoardTests
{
    private static readonly string[] Layers = ["dense.512", "dense.1024"];

    private static readonly string[] Conv = ["resnet18.C9"];

    private static Board Nominal => Board.Load(Repository.BoardFile("pynq-z1.json"));

    private static Board Truth(string name) => Board.Load(Repository.BoardFile(Path.Combine("truth", name + ".json")));

    private static IReadOnlyList<GroundTruthTable> Tables(Board board, IReadOnlyList<string>? layers = null) =>
        [.. (layers ?? Layers).Select(w => GroundTruthTable.Measure(WorkloadRegistry.Resolve(w), board))];

    /// <summary>
    /// <paramref name="board"/> answering with the ground truth of <paramref name="tables"/>' board: the same measured
    /// values from a board of other timing (the file's key rewritten to the other board's, as if its simulator had
    /// measured them).
    /// </summary>
    /// <param name="reversed">Give the configurations that run the fastest one's seconds, the second fastest the second slowest's, …: other measured values.</param>
    private static IReadOnlyList<GroundTruthTable> SameAnswers(IReadOnlyList<GroundTruthTable> tables, Board board, bool reversed = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return [.. tables.Select(t =>
        {
            var path = Path.Combine(directory, t.Workload.Name + ".jsonl");
            t.Save(path);
            var lines = File.ReadAllLines(path);
            lines[0] = lines[0].Replace(t.Key, GroundTruthTable.KeyOf(t.Workload, board), StringComparison.Ordinal);
            if (reversed)
            {
                var ok = Enumerable.Range(0, t.Entries.Count).Where(i => t.Entries[i].Status == MeasureStatus.Ok).OrderBy(i => t.Entries[i].Seconds).ToList();
                for (var k = 0; k < ok.Count; k++)
                {
                    var line = JsonNode.Parse(lines[ok[k] + 1])!;
                    line["seconds"] = t.Entries[ok[^(k + 1)]].Seconds;
                    lines[ok[k] + 1] = line.ToJsonString();
                }
            }

            File.WriteAllLines(path, lines);
            return GroundTruthTable.Load(path, t.Workload, board);
        })];
    }

    private static readonly TunerBenchmarkOptions Options = new() { Tuners = ["xgb", "ml2", "hiltuner", "hiltuner-lann"], Seeds = 2, Trials = 60 };

    /// <summary>
    /// Two truth boards of different timing that answer the same measured values make every tuner (hiltuner with either
    /// deviation model among them: the ridge regression, LANN) propose the same configurations, layer after layer
    /// (transfer included): the truth reaches a tuner only through what it measures.
    /// A third board of the second's timing, answering other values (the first's reversed), makes the tuners propose
    /// otherwise (the comparison can fail).
    /// </summary>
    [TestMethod]
    public void TwoTruthBoardsThatAnswerTheSameValuesYieldIdenticalProposals()
    {
        var slow = Truth("pynq-slow-dram");
        var mixed = Truth("pynq-mixed");
        var slowTables = Tables(slow, [.. Layers, .. Conv]);
        var result = TunerBenchmark.Run(Nominal, [new TruthBoard(slow, slowTables), new TruthBoard(mixed, SameAnswers(slowTables, mixed)), new TruthBoard(mixed, SameAnswers(slowTables, mixed, reversed: true))], Options);

        var (a, b, own) = (result.Boards[0], result.Boards[1], result.Boards[2]);
        Assert.AreEqual("pynq-mixed", b.Board.Name);
        Assert.HasCount(a.Runs.Count, b.Runs);
        var differs = false;
        foreach (var run in a.Runs)
        {
            var same = b.Runs.Single(r => r.Tuner == run.Tuner && r.Seed == run.Seed && r.Workload == run.Workload);
            CollectionAssert.AreEqual(run.Proposals.ToArray(), same.Proposals.ToArray(), $"{run.Tuner} seed {run.Seed} on {run.Workload}");
            var other = own.Runs.Single(r => r.Tuner == run.Tuner && r.Seed == run.Seed && r.Workload == run.Workload);
            differs |= !run.Proposals.SequenceEqual(other.Proposals);
        }

        Assert.IsTrue(differs, "a truth board with other measured values changes no proposal: the test could not fail");
    }

    /// <summary>
    /// No free knowledge: a tuner learns of earlier layers only from its own records of the same sequence (counted in
    /// those layers' figures), never from the ground truth; the first layer has nothing to learn from.
    /// </summary>
    [TestMethod]
    public void PriorsAreOnlyTheRecordsTheTunerMeasuredOnEarlierLayers()
    {
        var result = TunerBenchmark.Run(Nominal, [new TruthBoard(Truth("pynq-host-x2"), Tables(Truth("pynq-host-x2")))], Options with { Tuners = ["random", "xgb", "hiltuner"] });
        var board = result.Boards[0];
        foreach (var run in board.Runs)
        {
            var first = board.Runs.Single(r => r.Tuner == run.Tuner && r.Seed == run.Seed && r.Workload == Layers[0]);
            var expected = run.Workload == Layers[0] || run.Tuner == "random" ? 0 : first.Trials;
            Assert.AreEqual(expected, run.PriorRecords, $"{run.Tuner} seed {run.Seed} on {run.Workload}");
        }

        var without = TunerBenchmark.Run(Nominal, [new TruthBoard(Truth("pynq-host-x2"), Tables(Truth("pynq-host-x2")))], Options with { Tuners = ["xgb"], Transfer = false });
        Assert.IsTrue(without.Boards[0].Runs.All(r => r.PriorRecords == 0));
    }

    /// <summary>Records of a log given explicitly (<c>--transfer</c>) reach the tuners that take transfer from the first layer on, and no other.</summary>
    [TestMethod]
    public void TransferLogsReachOnlyTunersThatTakeTransfer()
    {
        var nominal = Nominal;
        var dense = WorkloadRegistry.Resolve("dense.b16x512");
        var collector = new RecordCollector();
        new TuningRun
        {
            Board = nominal,
            Target = new ReplayTarget(nominal, [GroundTruthTable.Measure(dense, nominal)]),
            Tuner = "random",
            Options = new TuningOptions { Trials = 12, Seed = 3 },
        }.Tune(dense, [collector]);
        Assert.HasCount(12, collector.Records);

        var truth = Truth("pynq-contended");
        var result = TunerBenchmark.Run(nominal, [new TruthBoard(truth, Tables(truth))], Options with { Tuners = ["random", "xgb"], Seeds = 1, TransferLogs = collector.Records });
        foreach (var run in result.Boards[0].Runs.Where(r => r.Workload == Layers[0]))
        {
            Assert.AreEqual(run.Tuner == "xgb" ? 12 : 0, run.PriorRecords, run.Tuner);
        }
    }

    [TestMethod]
    public void ATruthBoardOfAnotherVtaConfigurationIsRefused()
    {
        var other = Board.Load(Repository.BoardFile("ultra96-v2.json"));
        var e = Assert.ThrowsExactly<GroundTruthException>(() => TruthBoardTarget.RequireSameConfiguration(Nominal, other));
        StringAssert.Contains(e.Message, "a truth board differs in timing only");
        TruthBoardTarget.RequireSameConfiguration(Nominal, Truth("pynq-150mhz"));
    }

    /// <summary>Intervals come from a fixed-seed bootstrap: the same runs give the same interval, and it holds the figure.</summary>
    [TestMethod]
    public void IntervalsAreReproducibleAndHoldTheirFigure()
    {
        var cells = new List<RatioCell>
        {
            new([2, 3, 4, 5], [10, 12, 8, 9]),
            new([1, 1, 2, 6], [4, 5, 7, 3]),
            new([0, 0, 0, 0], [3, 3, 3, 3]),
        };
        var first = Bootstrap.GeometricMeanInterval([cells], zero: 0.25, resamples: 500)!;
        var again = Bootstrap.GeometricMeanInterval([cells], zero: 0.25, resamples: 500)!;
        Assert.AreEqual(first, again);
        var expected = Math.Exp((Math.Log(3.5 / 9.75) + Math.Log(2.5 / 4.75) + Math.Log(0.25 / 3)) / 3);
        Assert.AreEqual(expected, first.Value, 1e-12);
        Assert.IsLessThanOrEqualTo(first.Value, first.Low);
        Assert.IsGreaterThanOrEqualTo(first.Value, first.High);
        Assert.IsLessThan(first.High, first.Low);
        Assert.IsNull(Bootstrap.GeometricMeanInterval([[new RatioCell([1], [0])]], zero: 1, resamples: 10));
    }
}
