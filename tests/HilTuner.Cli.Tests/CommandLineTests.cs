using System.Diagnostics;
using HilTuner.Tests.Shared;

namespace HilTuner.Cli.Tests;

/// <summary>The command line itself: the <c>hiltuner</c> launcher, and typos answered with the nearest valid name.</summary>
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

    [TestMethod]
    public void TheLauncherRunsFromAnyDirectoryAndThroughSymlinks()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-launcher-").FullName;
        try
        {
            // The script itself, an absolute link to it (as make build puts in /usr/local/bin), and a relative link to that link.
            var script = Path.Combine(Repository.Root, "hiltuner");
            var absolute = Path.Combine(dir, "bin", "hiltuner");
            Directory.CreateDirectory(Path.GetDirectoryName(absolute)!);
            File.CreateSymbolicLink(absolute, script);
            var relative = Path.Combine(dir, "hiltuner");
            File.CreateSymbolicLink(relative, Path.Combine("bin", "hiltuner"));
            foreach (var launcher in new[] { script, absolute, relative })
            {
                var (exit, output, error) = Launch(launcher, dir, "workloads");
                Assert.AreEqual(0, exit, $"{launcher}: {error}");
                StringAssert.Contains(output, "resnet18.C11", launcher);
            }

            // Its exit code and stderr are the program's.
            var (code, _, typo) = Launch(relative, dir, "tnue");
            Assert.AreEqual(2, code, typo);
            StringAssert.Contains(typo, "did you mean `tune`?");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Exit, string Out, string Error) Launch(string launcher, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(launcher, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{launcher} {string.Join(' ', args)} did not end within 120 s");
        }

        return (process.ExitCode, output, error.Result);
    }
}
