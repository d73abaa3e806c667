using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Replay;
using HilTuner.Tuning.Log;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Session;
using HilTuner.Tuning.Tuners;
using HilTuner.Vta.Config;
using HilTuner.Tests.Shared;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class TuningSessionTests
{
    private static string NewPath() => Path.Combine(Path.GetTempPath(), "hiltuner-tests", $"{Guid.NewGuid():N}.log");

    private static TaskProgress Tune(string workload, string tuner, int trials, string path, int seed = 7, int? earlyStopping = null, ITarget? target = null)
    {
        var task = new TuningTask(WorkloadRegistry.Resolve(workload), Repository.UncalibratedBoard, seed);
        var logged = File.Exists(path) ? TuningLog.Read(path, out _).Where(r => r.TaskKey == task.Key).ToList() : [];
        using var log = TuningLog.Append(path);
        var options = new TuningOptions { Trials = trials, Seed = seed, EarlyStopping = earlyStopping };
        var session = new TuningSession(task, TunerFactory.Create(tuner, new TunerContext(task, seed, LocalBuilder.Instance)), target ?? new SimTarget(Repository.UncalibratedBoard), options);
        return session.Run(logged, [log]);
    }

    [TestMethod]
    public void ReplayGivesTheRecordsTheSimulatorGivesLabelledReplay()
    {
        var workload = WorkloadRegistry.Resolve("resnet18.C11");
        var replay = new ReplayTarget(Repository.UncalibratedBoard, [GroundTruthTable.Measure(workload, Repository.UncalibratedBoard)]);
        var (simulated, replayed) = (NewPath(), NewPath());

        // The ground truth runs on inputs of seed 0; so does this session (wrong answers may depend on the data).
        Tune("resnet18.C11", "xgb", 80, simulated, seed: GroundTruthTable.InputSeed);
        Tune("resnet18.C11", "xgb", 80, replayed, seed: GroundTruthTable.InputSeed, target: replay);
        var a = TuningLog.Read(simulated, out _);
        var b = TuningLog.Read(replayed, out _);
        CollectionAssert.AreEqual(a.Select(r => (r.Index, r.Status, r.Facts!.Cycles, r.Costs[0])).ToArray(), b.Select(r => (r.Index, r.Status, r.Facts!.Cycles, r.Costs[0])).ToArray());
        Assert.IsTrue(a.All(r => r.Facts!.TargetKind == "sim"));
        Assert.IsTrue(b.All(r => r.Facts!.TargetKind == "replay"));
    }

    [TestMethod]
    public void EveryTrialIsLoggedAsAutoTvmRecordsItWithHilTunersFacts()
    {
        var path = NewPath();
        var result = Tune("resnet18.C11", "random", 40, path);
        var records = TuningLog.Read(path, out _);
        Assert.HasCount(40, records);
        Assert.AreEqual(40, result.Trials);
        CollectionAssert.AreEqual(Enumerable.Range(1, 40).ToArray(), records.Select(r => r.Facts!.Trial).ToArray());

        var truth = GroundTruth.Of("resnet18.C11");
        var operations = WorkloadRegistry.Resolve("resnet18.C11").Operations;
        foreach (var r in records)
        {
            var facts = r.Facts!;
            Assert.AreEqual("conv2d_packed.vta", r.TaskName);
            Assert.AreEqual("ext_dev -keys=vta,cpu -device=vta -model=pynq_1x16_i8w8a32_15_15_18_17", r.Target);
            Assert.AreEqual("resnet18.C11", facts.Workload);
            Assert.AreEqual("sim", facts.TargetKind);
            Assert.AreEqual("random", facts.Tuner);
            Assert.AreEqual(truth.Statuses[r.Index].JsonName(), facts.Status, $"configuration {r.Index}");
            Assert.AreEqual((int)truth.Statuses[r.Index].ErrorNo(), r.ErrorNo);
            if (r.Succeeded)
            {
                // Costs are the timing model's board seconds, never host time: cycles at the fabric clock plus
                // the runtime's launch overhead.
                Assert.HasCount(3, r.Costs);
                var board = Repository.UncalibratedBoard;
                Assert.AreEqual((facts.Cycles * board.Fabric.SecondsPerCycle) + (board.Timing.LaunchOverheadMicroseconds * 1e-6), r.Costs[0], 1e-15);
                Assert.AreEqual(truth.Gflops[r.Index], r.Gflops(operations), 1e-9);
                Assert.IsNotNull(facts.Features);
            }
            else
            {
                CollectionAssert.AreEqual(new[] { TuningRecord.FailureCost }, r.Costs.ToArray());
                Assert.IsFalse(string.IsNullOrEmpty(facts.Error), $"a failure without a reason at {r.Index}");
            }
        }

        Assert.AreEqual(records.Max(r => r.Gflops(operations)), result.BestGflops, 1e-9);
        Assert.AreEqual(records.Count(r => !r.Succeeded), result.Statuses.Where(s => s.Key != "ok").Sum(s => s.Value));
    }

    /// <summary>The session writes nothing itself: observers get every trial (measured ones with their record) and the end.</summary>
    [TestMethod]
    public void ObserversAreToldOfEveryTrialAndOfTheEnd()
    {
        var task = new TuningTask(WorkloadRegistry.Resolve("resnet18.C11"), Repository.UncalibratedBoard, 3);
        var collector = new RecordCollector();
        var seen = new List<TaskProgress>();
        var ends = new List<TaskProgress>();
        var session = new TuningSession(task, TunerFactory.Create("random", new TunerContext(task, 3, LocalBuilder.Instance)), new SimTarget(Repository.UncalibratedBoard), new TuningOptions { Trials = 20, Seed = 3 });
        var result = session.Run([], [collector, new Watcher(seen.Add, ends.Add)]);

        Assert.HasCount(20, collector.Records);
        CollectionAssert.AreEqual(Enumerable.Range(1, 20).ToArray(), collector.Records.Select(r => r.Facts!.Trial).ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(1, 20).ToArray(), seen.Select(p => p.Trials).ToArray(), "one report per trial, after it");
        Assert.IsTrue(seen.All(p => !p.Finished));
        Assert.HasCount(1, ends);
        Assert.AreSame(result, ends[0]);
        Assert.IsTrue(ends[0].Finished);
    }

    private sealed class Watcher(Action<TaskProgress> trial, Action<TaskProgress> end) : ITrialObserver
    {
        public void OnTrial(TuningRecord? record, TaskProgress progress)
        {
            Assert.IsNotNull(record, "nothing was in the log: every trial was measured");
            trial(progress);
        }

        public void OnTaskEnd(TaskProgress progress) => end(progress);
    }

    [TestMethod]
    public void TheTrialCountIsCappedAtTheSpaceSize()
    {
        var path = NewPath();
        var result = Tune("dense.512", "xgb", 1000, path);
        var records = TuningLog.Read(path, out _);
        Assert.AreEqual(72, result.Budget);
        Assert.AreEqual(72, result.Trials);
        Assert.AreEqual("all 72 configurations of the space tried", result.StopReason);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 72).Select(i => (long)i).ToArray(), records.Select(r => r.Index).ToArray());
    }

    [TestMethod]
    public void EarlyStoppingEndsATaskAfterThatManyTrialsWithoutANewBest()
    {
        var result = Tune("resnet18.C11", "grid", 576, NewPath(), earlyStopping: 30);
        Assert.IsGreaterThan(0, result.BestTrial);
        Assert.IsLessThan(576, result.Trials);
        StringAssert.StartsWith(result.StopReason, $"early stop: no better configuration in the 30 trials since trial {result.BestTrial}");

        // The check runs between batches (of 8), as AutoTVM's does.
        Assert.IsGreaterThanOrEqualTo(30, result.Trials - result.BestTrial);
        Assert.IsLessThan(30 + 8, result.Trials - result.BestTrial);
    }

    /// <summary>
    /// A run cut short at any trial — even in the middle of writing a line — and resumed with the same log and
    /// seed ends with exactly the records of an uninterrupted run: same configurations in the same order, none
    /// measured twice, none lost, trial numbers continuing.
    /// </summary>
    [TestMethod]
    [DataRow("xgb", 1)]
    [DataRow("xgb", 37)]
    [DataRow("xgb", 70)]
    [DataRow("ga", 45)]
    [DataRow("random", 12)]
    public void AResumedRunEndsAsAnUninterruptedOne(string tuner, int cut)
    {
        const int Trials = 90;
        var whole = NewPath();
        Tune("resnet18.C11", tuner, Trials, whole);
        var expected = TuningLog.Read(whole, out _);

        var resumed = NewPath();
        var lines = File.ReadAllLines(whole);
        File.WriteAllText(resumed, string.Join('\n', lines[..cut]) + "\n" + lines[cut][..(lines[cut].Length / 3)]);
        var result = Tune("resnet18.C11", tuner, Trials, resumed);

        var actual = TuningLog.Read(resumed, out var warnings);
        Assert.IsEmpty(warnings);
        Assert.AreEqual(cut, result.Resumed);
        Assert.AreEqual(Trials, result.Trials);
        Assert.IsNull(result.ContinuedFrom, "the log's records are this tuner's and seed's own");
        Assert.AreEqual($"budget of {Trials} trials reached", result.StopReason);
        CollectionAssert.AreEqual(expected.Select(r => r.Index).ToArray(), actual.Select(r => r.Index).ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(1, Trials).ToArray(), actual.Select(r => r.Facts!.Trial).ToArray());
        CollectionAssert.AreEqual(expected.Select(r => r.Costs[0]).ToArray(), actual.Select(r => r.Costs[0]).ToArray());
        CollectionAssert.AreEqual(lines[..cut], File.ReadAllLines(resumed)[..cut], "records already in the log must stay as they were");
    }

    [TestMethod]
    public void ALogFromAnotherTunerIsUsedAndNothingIsMeasuredTwice()
    {
        var path = NewPath();
        Tune("resnet18.C11", "random", 30, path, seed: 1);
        var result = Tune("resnet18.C11", "xgb", 80, path, seed: 2);
        var records = TuningLog.Read(path, out _);
        Assert.AreEqual(80, result.Trials);
        Assert.AreEqual(30, result.Resumed);
        Assert.HasCount(80, records);
        Assert.AreEqual(80, records.Select(r => r.Index).Distinct().Count());
    }

    /// <summary>
    /// Another tuner's (or seed's) records become the new run's first trials in their logged order, so that where the
    /// run says its best was found is where the log says it was.
    /// </summary>
    [TestMethod]
    [DataRow("random", 1, "xgb", 2, "random, seed 1")]
    [DataRow("xgb", 1, "xgb", 2, "xgb, seed 1")]
    public void ALogOfAnotherTunerOrSeedGivesTheFirstTrialsInItsOwnOrder(string first, int firstSeed, string then, int thenSeed, string continued)
    {
        var path = NewPath();
        Tune("resnet18.C11", first, 40, path, seed: firstSeed);
        var logged = TuningLog.Read(path, out _);
        var operations = WorkloadRegistry.Resolve("resnet18.C11").Operations;
        var bestInLog = logged.MaxBy(r => r.Gflops(operations))!;

        var result = Tune("resnet18.C11", then, 40, path, seed: thenSeed);
        Assert.AreEqual(continued, result.ContinuedFrom);
        Assert.AreEqual(40, result.Trials);
        Assert.HasCount(40, TuningLog.Read(path, out _), "nothing measured beyond the budget the log already spent");
        Assert.AreEqual(bestInLog.Facts!.Trial, result.BestTrial, "the best is found where the log has it");

        var more = Tune("resnet18.C11", then, 60, path, seed: thenSeed);
        var records = TuningLog.Read(path, out _);
        Assert.HasCount(60, records);
        Assert.AreEqual(60, records.Select(r => r.Index).Distinct().Count());
        CollectionAssert.AreEqual(Enumerable.Range(1, 60).ToArray(), records.Select(r => r.Facts!.Trial).ToArray());
        Assert.IsTrue(records.Skip(40).All(r => r.Facts!.Tuner == then && r.Facts.Seed == thenSeed));
        Assert.AreEqual(continued, more.ContinuedFrom);
    }

    /// <summary>
    /// A hang or a lost link on a board that was never attributed to its configuration (a log of an earlier version,
    /// written while the board itself was down) is measured again on resume; an attributed one stands.
    /// </summary>
    [TestMethod]
    public void ABoardFailureNeverAttributedIsMeasuredAgainAndAnAttributedOneStands()
    {
        var path = NewPath();
        Tune("resnet18.C11", "random", 60, path);
        var records = TuningLog.Read(path, out _);
        var oks = records.Where(r => r.Succeeded).ToList();
        var (unattributed, attributed) = (oks[0].Index, oks[1].Index);
        TuningRecord OnBoard(TuningRecord r) => r with
        {
            Costs = r.Index is var i && (i == unattributed || i == attributed) ? [TuningRecord.FailureCost] : r.Costs,
            ErrorNo = r.Index == unattributed || r.Index == attributed ? (int)MeasureErrorNo.RunTimeout : r.ErrorNo,
            Facts = r.Facts! with
            {
                TargetKind = "board",
                Status = r.Index == unattributed || r.Index == attributed ? "hang" : r.Facts.Status,
                Attribution = r.Index == attributed ? "reproduced" : null,
            },
        };

        var boardLog = NewPath();
        using (var log = TuningLog.Append(boardLog))
        {
            foreach (var r in records)
            {
                log.Write(OnBoard(r));
            }
        }

        var board = TuningLog.Read(boardLog, out _);
        Assert.IsTrue(board.Single(r => r.Index == unattributed).Unattributed);
        Assert.IsFalse(board.Single(r => r.Index == attributed).Unattributed);
        ValidityTraining.ValidityData.FromRecords(board, Repository.UncalibratedBoard, out var leftOut);
        Assert.AreEqual(1, leftOut.GetValueOrDefault("a board failure never attributed to its configuration"));

        var result = Tune("resnet18.C11", "random", 60, boardLog);
        var after = TuningLog.Read(boardLog, out _);
        Assert.AreEqual(59, result.Resumed);
        Assert.AreEqual(60, result.Trials);
        Assert.HasCount(61, after, "one measurement taken again, appended; the old record stays as it was");
        var again = after[^1];
        Assert.AreEqual(unattributed, again.Index);
        Assert.AreEqual(MeasureStatus.Ok, again.Status);
        Assert.AreEqual(1, result.Statuses["hang"], "the attributed hang stands");
        Assert.AreEqual(records.Single(r => r.Index == unattributed).Facts!.Trial, again.Facts!.Trial, "measured again where the tuner proposes it");
    }

    /// <summary>
    /// Records of another tuner's log that the new tuner never proposes still count as trials: a resumed run measures
    /// only what is left of --trials after them, never a whole batch more.
    /// </summary>
    [TestMethod]
    public void TheLogsRecordsCountAgainstTheBudgetOfAResumedRun()
    {
        var path = NewPath();
        Tune("resnet18.C11", "random", 9, path, seed: 1);
        var result = Tune("resnet18.C11", "xgb", 10, path, seed: 2);
        var records = TuningLog.Read(path, out _);
        Assert.AreEqual(9, result.Resumed);
        Assert.AreEqual(10, result.Trials);
        Assert.HasCount(10, records, "one measurement was left of the budget of 10 after the log's 9 records");
        Assert.AreEqual(10, records.Select(r => r.Index).Distinct().Count());
    }

    [TestMethod]
    public void TransferFromAnotherLayerPlansTheFirstBatchFromTheModel()
    {
        var source = GroundTruth.Of("resnet18.C11");
        var prior = new TransferTask(source.Workload, [.. Enumerable.Range(0, (int)source.Space.Size).Select(i => (source.Space.Get(i), source.Gflops[i]))]);

        // C11's space is the same space on the same knobs: the base model fitted on its records (AutoTVM's load_history)
        // must point straight at the best region, so the first batch is far better than random picks.
        var withTransfer = new XgbTuner(source.Context(3));
        withTransfer.Transfer([prior]);
        var first = withTransfer.NextBatch(8);
        var random = new RandomTuner(source.Space, seed: 3).NextBatch(8);
        var transferred = first.Max(c => source.Gflops[c.Index]);
        Assert.IsGreaterThanOrEqualTo(0.9 * source.Best, transferred);
        Assert.IsGreaterThan(random.Max(c => source.Gflops[c.Index]), transferred);
    }
}
