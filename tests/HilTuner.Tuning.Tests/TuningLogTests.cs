using HilTuner.Tuning.Log;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class TuningLogTests
{
    public TestContext TestContext { get; set; } = null!;

    private string NewPath() => Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}.log");

    private static TuningRecord Trial(int index) => RecordJson.Read(RecordJsonTests.Zcu104Line) with { Index = index };

    [TestMethod]
    public void RecordsAppendedAreReadBackInOrder()
    {
        var path = NewPath();
        using (var log = TuningLog.Append(path))
        {
            log.Write(Trial(1));
            log.Write(Trial(2));
        }

        using (var log = TuningLog.Append(path))
        {
            log.Write(Trial(3));
        }

        var records = TuningLog.Read(path, out var warnings);
        Assert.IsEmpty(warnings);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, records.Select(r => r.Index).ToArray());
        Assert.AreEqual(3, File.ReadAllLines(path).Length);
    }

    [TestMethod]
    public void ATornLastLineIsReadWithAWarningAndCutOffBeforeTheNextRecord()
    {
        var path = NewPath();
        var whole = RecordJson.Write(Trial(1)) + "\n" + RecordJson.Write(Trial(2)) + "\n";
        var torn = RecordJson.Write(Trial(3));
        File.WriteAllText(path, whole + torn[..(torn.Length / 2)]);

        var records = TuningLog.Read(path, out var warnings);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, records.Select(r => r.Index).ToArray());
        Assert.HasCount(1, warnings);
        StringAssert.Contains(warnings[0], $"{path}:3");
        StringAssert.Contains(warnings[0], "incomplete");

        using (var log = TuningLog.Append(path))
        {
            log.Write(Trial(4));
        }

        records = TuningLog.Read(path, out warnings);
        Assert.IsEmpty(warnings);
        CollectionAssert.AreEqual(new long[] { 1, 2, 4 }, records.Select(r => r.Index).ToArray());
    }

    /// <summary>Two writers on one log would overwrite each other's lines: the second is refused until the first closes.</summary>
    [TestMethod]
    public void OneLogHasOneWriterAtATime()
    {
        var path = NewPath();
        using (var first = TuningLog.Append(path))
        {
            first.Write(Trial(1));
            var e = Assert.ThrowsExactly<TuningLogException>(() => TuningLog.Append(path));
            StringAssert.Contains(e.Message, $"{path}: another process is writing this log");
            Assert.HasCount(1, TuningLog.Read(path, out _), "the log can still be read while it is written");
            first.Write(Trial(2));
        }

        Assert.IsFalse(File.Exists(path + ".lock"), "the lock goes with its writer");
        using (var second = TuningLog.Append(path))
        {
            second.Write(Trial(3));
        }

        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, TuningLog.Read(path, out _).Select(r => r.Index).ToArray());
    }

    /// <summary>
    /// A power cut can leave the blocks a file had grown by as NUL bytes: after complete records (or a torn one) they
    /// are skipped with a warning, like a torn line, and cut off when the log is next written.
    /// </summary>
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ATailOfNulBytesIsSkippedWithAWarningAndCutOffBeforeTheNextRecord(bool tornBefore)
    {
        var path = NewPath();
        var torn = RecordJson.Write(Trial(3));
        File.WriteAllText(path, RecordJson.Write(Trial(1)) + "\n" + RecordJson.Write(Trial(2)) + "\n" + (tornBefore ? torn[..40] : string.Empty));
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(new byte[5000]);
        }

        var records = TuningLog.Read(path, out var warnings);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, records.Select(r => r.Index).ToArray());
        Assert.HasCount(tornBefore ? 2 : 1, warnings, string.Join('\n', warnings));
        StringAssert.Contains(warnings[^1], $"{path}: ends in 5000 NUL byte(s)");

        using (var log = TuningLog.Append(path))
        {
            log.Write(Trial(4));
        }

        records = TuningLog.Read(path, out warnings);
        Assert.IsEmpty(warnings);
        CollectionAssert.AreEqual(new long[] { 1, 2, 4 }, records.Select(r => r.Index).ToArray());
        Assert.DoesNotContain((byte)0, File.ReadAllBytes(path));
    }

    [TestMethod]
    public void NulBytesBeforeTheEndAreAnErrorNamingTheLine()
    {
        var path = NewPath();
        File.WriteAllText(path, RecordJson.Write(Trial(1)) + "\n\0\0\n" + RecordJson.Write(Trial(2)) + "\n");
        var e = Assert.ThrowsExactly<TuningLogException>(() => TuningLog.Read(path, out _));
        StringAssert.StartsWith(e.Message, $"{path}:2: NUL bytes inside the log");
    }

    [TestMethod]
    public void ALineLongerThanAnyRecordIsAnErrorNamingIt()
    {
        var path = NewPath();
        File.WriteAllText(path, RecordJson.Write(Trial(1)) + "\n# " + new string('x', TuningLog.MaxLineBytes) + "\n");
        var e = Assert.ThrowsExactly<TuningLogException>(() => TuningLog.Read(path, out _));
        StringAssert.StartsWith(e.Message, $"{path}:2: the line is longer than 1048576 bytes");
    }

    /// <summary>Only a torn record is cut off: an unterminated comment is kept, and a line that is no record is an error, never silently lost.</summary>
    [TestMethod]
    public void AnUnterminatedLastLineThatIsNoTornRecordIsNeverCutOff()
    {
        var path = NewPath();
        var first = RecordJson.Write(Trial(1)) + "\n";
        File.WriteAllText(path, first + "# tuned on the lab's PYNQ");
        Assert.HasCount(1, TuningLog.Read(path, out var warnings));
        Assert.IsEmpty(warnings);
        using (var log = TuningLog.Append(path))
        {
            log.Write(Trial(2));
        }

        StringAssert.StartsWith(File.ReadAllText(path), first + "# tuned on the lab's PYNQ\n");
        Assert.HasCount(2, TuningLog.Read(path, out _));

        var notALog = NewPath();
        File.WriteAllText(notALog, "some notes, not a log");
        var e = Assert.ThrowsExactly<TuningLogException>(() => TuningLog.Read(notALog, out _));
        StringAssert.Contains(e.Message, $"{notALog}:1");
        Assert.AreEqual("some notes, not a log", File.ReadAllText(notALog), "reading changes nothing");
    }

    [TestMethod]
    public void ACompleteLastRecordWithoutItsNewlineIsKept()
    {
        var path = NewPath();
        File.WriteAllText(path, RecordJson.Write(Trial(1)) + "\n" + RecordJson.Write(Trial(2)));
        Assert.HasCount(2, TuningLog.Read(path, out var warnings));
        Assert.IsEmpty(warnings);

        using (var log = TuningLog.Append(path))
        {
            log.Write(Trial(3));
        }

        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, TuningLog.Read(path, out _).Select(r => r.Index).ToArray());
    }

    [TestMethod]
    public void AMalformedLineBeforeTheLastIsAnErrorNamingFileAndLine()
    {
        var path = NewPath();
        File.WriteAllText(path, string.Join('\n', RecordJson.Write(Trial(1)), "{\"input\": [\"t\"]}", RecordJson.Write(Trial(3))) + "\n");
        var e = Assert.ThrowsExactly<TuningLogException>(() => TuningLog.Read(path, out _));
        StringAssert.StartsWith(e.Message, $"{path}:2: ");
        StringAssert.Contains(e.Message, "\"input\" must be a list of 4");
    }

    [TestMethod]
    public void ATornLineThatEndsWithANewlineIsAnError()
    {
        // Only the very last, unterminated line can be the victim of a kill; a damaged terminated line is not.
        var path = NewPath();
        var torn = RecordJson.Write(Trial(2));
        File.WriteAllText(path, RecordJson.Write(Trial(1)) + "\n" + torn[..20] + "\n");
        var e = Assert.ThrowsExactly<TuningLogException>(() => TuningLog.Read(path, out _));
        StringAssert.StartsWith(e.Message, $"{path}:2: ");
    }

    [TestMethod]
    public void CommentsBlankLinesAndAutoTvmsOwnLinesAreRead()
    {
        var path = NewPath();
        File.WriteAllLines(path, ["# tophub-style comment", string.Empty, RecordJsonTests.TopHubLine, RecordJsonTests.ErrorLineV01, RecordJsonTests.Zcu104Line]);
        var records = TuningLog.Read(path, out var warnings);
        Assert.IsEmpty(warnings);
        CollectionAssert.AreEqual(new long[] { 203, 484, 241 }, records.Select(r => r.Index).ToArray());
    }

    [TestMethod]
    public void AMissingLogIsAnErrorNamingIt()
    {
        var path = NewPath();
        var e = Assert.ThrowsExactly<TuningLogException>(() => TuningLog.Read(path, out _));
        StringAssert.Contains(e.Message, path);
    }
}
