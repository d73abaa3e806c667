namespace HilTuner.Cli.Tests;

/// <summary>The command line itself: typos answered with the nearest valid name.</summary>
[TestClass]
public sealed class CommandLineTests
{
    [TestMethod]
    [DataRow("tnue --workload resnet18.C11", "unknown command `tnue` for `hiltuner`: did you mean `tune`?")]
    [DataRow("workload", "unknown command `workload` for `hiltuner`: did you mean `workloads`?")]
    [DataRow("board rnu --board x.json", "unknown command `rnu` for `hiltuner board`: did you mean `run`?")]
    [DataRow("tune --workload resnet18.C11 --trails 10 --log x.log", "unknown option `--trails` for `hiltuner tune`: did you mean `--trials`?")]
    [DataRow("sim run --workload resnet18.C11 --idnex 3", "unknown option `--idnex` for `hiltuner sim run`: did you mean `--index`?")]
    [DataRow("log sumary x.log", "unknown command `sumary` for `hiltuner log`: did you mean `summary`?")]
    public void ATypoIsOneLineWithTheClosestValidNameAndExitCode2(string commandLine, string expected)
    {
        var (exit, output, error) = Cli.Run(string.Empty, commandLine.Split(' '));
        Assert.AreEqual(2, exit, error);
        Assert.AreEqual(string.Empty, output);
        CollectionAssert.AreEqual(new[] { "hiltuner: " + expected }, Cli.Lines(error), error);
    }

    [TestMethod]
    public void AnUnknownNameFarFromEveryValidOneIsOneLinePointingToHelp()
    {
        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--zzzzzzzz", "--log", "x.log");
        Assert.AreEqual(2, exit, error);
        CollectionAssert.AreEqual(new[] { "hiltuner: unknown option `--zzzzzzzz` for `hiltuner tune` (`hiltuner tune --help` lists them)" }, Cli.Lines(error), error);
    }
}
