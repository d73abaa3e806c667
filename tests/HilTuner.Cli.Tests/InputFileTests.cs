using System.Diagnostics;

namespace HilTuner.Cli.Tests;

/// <summary>
/// Every file HilTuner reads passes one guard: a device or a fifo is refused by name (reading /dev/zero whole ran out
/// of memory), and a regular file larger than its reader's limit is refused, both in one line with exit code 2.
/// </summary>
[TestClass]
public sealed class InputFileTests
{
    [TestMethod]
    [DataRow("sim|run|--workload|C11|--index|1|--board|/dev/zero", "/dev/zero: cannot be read: it is a character device, not a regular file")]
    [DataRow("log|summary|/dev/zero", "/dev/zero: cannot be read: it is a character device, not a regular file")]
    [DataRow("log|best|/dev/zero", "/dev/zero: cannot be read: it is a character device")]
    [DataRow("tune|--workload|dense.512|--trials|2|--log|/dev/full|--resume", "/dev/full is a character device; --log needs a regular file")]
    [DataRow("tune|--workload|dense.512|--trials|2|--log|/dev/null", "/dev/null is a character device; --log needs a regular file")]
    [DataRow("model|info|/dev/zero", "'/dev/zero': the file cannot be read (it is a character device, not a regular file)")]
    [DataRow("isa|dis|/dev/zero", "/dev/zero: cannot be read: it is a character device")]
    [DataRow("space|--workload|/dev/zero", "/dev/zero: the workload file cannot be read: it is a character device")]
    public void ASpecialFileIsRefusedByName(string args, string message)
    {
        var (exit, _, error) = Cli.Run(string.Empty, args.Split('|'));
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, message);
    }

    [TestMethod]
    public void AFifoIsRefusedWithoutWaitingForAWriter()
    {
        var fifo = Path.Combine(Path.GetTempPath(), $"hiltuner-fifo-{Guid.NewGuid():N}");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
            Assert.AreEqual(0, mkfifo.ExitCode);
        }

        try
        {
            var run = Task.Run(() => Cli.Run(string.Empty, "log", "summary", fifo));
            Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(30)), "reading a fifo blocked");
            var (exit, _, error) = run.Result;
            Assert.AreEqual(2, exit, error);
            StringAssert.Contains(error, $"{fifo}: cannot be read: it is a fifo, not a regular file");
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [TestMethod]
    public void AFileLargerThanItsReaderTakesIsRefused()
    {
        var board = Path.Combine(Path.GetTempPath(), $"hiltuner-huge-{Guid.NewGuid():N}.json");
        using (var stream = new FileStream(board, FileMode.CreateNew))
        {
            stream.SetLength(2 * 1024 * 1024);
        }

        try
        {
            var (exit, _, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "C11", "--index", "1", "--board", board);
            Assert.AreEqual(2, exit, error);
            Assert.HasCount(1, Cli.Lines(error), error);
            StringAssert.Contains(error, $"{board}: cannot be read: it holds more than 1 MiB");
        }
        finally
        {
            File.Delete(board);
        }
    }
}
