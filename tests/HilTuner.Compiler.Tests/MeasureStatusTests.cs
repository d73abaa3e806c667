using HilTuner.Compiler.Statuses;

namespace HilTuner.Compiler.Tests;

[TestClass]
public sealed class MeasureStatusTests
{
    [TestMethod]
    public void EachStatusHasOneDescriptorWhoseNameParsesBack()
    {
        CollectionAssert.AreEqual(Enum.GetValues<MeasureStatus>(), MeasureStatuses.All.Select(d => d.Status).ToArray());
        foreach (var status in Enum.GetValues<MeasureStatus>())
        {
            Assert.AreEqual(status, status.Describe().Status);
            Assert.AreEqual(status, MeasureStatuses.Parse(status.JsonName()));
        }

        Assert.IsNull(MeasureStatuses.Parse("timeout"));
        CollectionAssert.AreEqual(
            new[] { "ok", "compile_error", "runtime_error", "hang", "wrong_answer", "board_reset", "link_lost", "skipped" },
            MeasureStatuses.All.Select(d => d.JsonName).ToArray());
    }

    /// <summary>The rules as they were written in their places before: now each is a column of the descriptors.</summary>
    [TestMethod]
    public void TheDescriptorsCarryEveryRuleAboutAStatus()
    {
        MeasureStatus[] Where(Func<MeasureStatusDescriptor, bool> rule) => MeasureStatuses.All.Where(rule).Select(d => d.Status).ToArray();

        CollectionAssert.AreEqual(
            new[] { MeasureStatus.RuntimeError, MeasureStatus.Hang, MeasureStatus.WrongAnswer, MeasureStatus.BoardReset, MeasureStatus.LinkLost },
            Where(d => d.FailedOnTarget));
        CollectionAssert.AreEqual(new[] { MeasureStatus.Hang, MeasureStatus.BoardReset }, Where(d => d.LosesBoardTime));
        CollectionAssert.AreEqual(new[] { MeasureStatus.Hang, MeasureStatus.BoardReset, MeasureStatus.LinkLost }, Where(d => d.NeedsAttribution));
        CollectionAssert.AreEqual(new[] { MeasureStatus.CompileError, MeasureStatus.Skipped }, Where(d => !d.ReachedTarget));
        CollectionAssert.AreEqual(
            new[] { 0, 2, 4, 7, 5, 4, 4, 1 },
            MeasureStatuses.All.Select(d => (int)d.ErrorNo).ToArray());
    }

    [TestMethod]
    public void ARecordWithoutAKnownStatusTakesTheClosestToItsErrorNumber()
    {
        Assert.AreEqual(MeasureStatus.WrongAnswer, MeasureStatuses.Of("wrong_answer", 4));
        Assert.AreEqual(MeasureStatus.Hang, MeasureStatuses.Of(null, 7));
        Assert.AreEqual(MeasureStatus.CompileError, MeasureStatuses.Of(null, 6));
        Assert.AreEqual(MeasureStatus.RuntimeError, MeasureStatuses.Of("no_such_status", 8));
        Assert.AreEqual(MeasureStatus.Ok, MeasureStatuses.Of(null, 0));
    }
}
