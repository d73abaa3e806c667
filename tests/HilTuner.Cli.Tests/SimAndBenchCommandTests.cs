using System.Text.Json;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class SimAndBenchCommandTests
{
    [TestMethod]
    public void BenchSimEndsWithOneJsonObjectOfItsFigures()
    {
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "sim", "--json");
        Assert.AreEqual(0, exit, error);
        var last = JsonDocument.Parse(Cli.Lines(output)[^1]).RootElement;
        var wall = last.GetProperty("wall_s").GetDouble();
        var board = last.GetProperty("board_s").GetDouble();
        Assert.IsTrue(wall > 0 && board > 0);
        Assert.AreEqual(wall / board, last.GetProperty("slowdown").GetDouble(), 1e-9);
        Assert.AreEqual(134_217_728 / wall, last.GetProperty("macs_per_s").GetDouble(), 1e-3 * last.GetProperty("macs_per_s").GetDouble());
        StringAssert.Contains(output, "matches the reference");
    }

    [TestMethod]
    [DataRow("sim.json")]
    [DataRow("ultra96-v2.json")]
    [DataRow("de10-nano.json")]
    public void SimMatMulRunsAndChecksOnEveryBoard(string board)
    {
        var (exit, output, error) = Cli.Run(string.Empty, "sim", "matmul", "--board", Cli.Board(board));
        Assert.AreEqual(0, exit, output + error);
        StringAssert.Contains(output, "output matches the reference");
        StringAssert.Contains(output, "finished in");
    }

    [TestMethod]
    [DataRow("3")]
    [DataRow("0")]
    [DataRow("-1")]
    public void SimMatMulRefusesVirtualThreadsOtherThanOneOrTwo(string threads)
    {
        var (exit, output, error) = Cli.Run(string.Empty, "sim", "matmul", "--threads", threads);
        Assert.AreEqual(2, exit, output + error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, $"--threads must be 1 or 2 (VTA's virtual threads), not {threads}");
    }
}
