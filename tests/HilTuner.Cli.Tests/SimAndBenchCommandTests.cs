using System.Text.Json;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class SimAndBenchCommandTests
{
    [TestMethod]
    public void BenchSimMeasuresTheDefaultAndThePynqBoardAndEndsWithOneJsonObjectOfTheirMedianFigures()
    {
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "sim", "--runs", "3", "--json");
        Assert.AreEqual(0, exit, error);
        var last = JsonDocument.Parse(Cli.Lines(output)[^1]).RootElement;
        Assert.AreEqual(3, last.GetProperty("runs").GetInt32());
        var boards = last.GetProperty("boards").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { "sim", "pynq-z1" }, boards.Select(b => b.GetProperty("board").GetString()).ToArray());
        foreach (var b in boards)
        {
            var wall = b.GetProperty("wall_s").GetDouble();
            var board = b.GetProperty("board_s").GetDouble();
            Assert.IsTrue(wall > 0 && board > 0);
            Assert.AreEqual(wall / board, b.GetProperty("slowdown").GetDouble(), 1e-9);
            Assert.AreEqual(134_217_728, b.GetProperty("macs").GetInt64());
            Assert.AreEqual(134_217_728 / wall, b.GetProperty("macs_per_s").GetDouble(), 1e-3 * b.GetProperty("macs_per_s").GetDouble());
            Assert.IsTrue(b.GetProperty("matches").GetBoolean());
        }

        StringAssert.Contains(output, "median of 3 runs per board");
        Assert.IsFalse(output.Contains("DOES NOT MATCH", StringComparison.Ordinal), output);
    }

    [TestMethod]
    public void BenchSimMeasuresTheBoardsItIsGiven()
    {
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "sim", "--runs", "1", "--board", Cli.Board("ultra96-v2.json"), "--json");
        Assert.AreEqual(0, exit, error);
        var boards = JsonDocument.Parse(Cli.Lines(output)[^1]).RootElement.GetProperty("boards").EnumerateArray().ToList();
        Assert.HasCount(1, boards);
        Assert.AreEqual("ultra96-v2", boards[0].GetProperty("board").GetString());
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("1001")]
    public void BenchSimRefusesARunCountOutOfRange(string runs)
    {
        var (exit, output, error) = Cli.Run(string.Empty, "bench", "sim", "--runs", runs);
        Assert.AreEqual(2, exit, output + error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, $"--runs must be between 1 and 1000, not {runs}");
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
