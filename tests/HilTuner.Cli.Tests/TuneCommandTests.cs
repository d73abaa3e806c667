using System.Diagnostics;
using System.Text.Json;
using HilTuner.Tests.Shared;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class TuneCommandTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "hiltuner-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A fresh log of <paramref name="trials"/> grid-search trials of dense.512.</summary>
    private static string SmallLog(string name, int trials, string tuner = "grid")
    {
        var log = Path.Combine(NewDirectory(), name);
        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", $"{trials}", "--tuner", tuner, "--log", log);
        Assert.AreEqual(0, exit, error);
        return log;
    }

    [TestMethod]
    public void WithoutATerminalTrialsReplayedFromTheLogAreNotPrintedAsNewTrials()
    {
        var log = Path.Combine(NewDirectory(), "resumed.log");
        string[] tune = ["tune", "--workload", "resnet18.C11", "--tuner", "random", "--seed", "3", "--log", log];
        Assert.AreEqual(0, Cli.Run(string.Empty, [.. tune, "--trials", "30"]).Exit);

        // Every new trial printed (no interval), to see which trials get a line.
        var (exit, output, error) = Cli.Run(TimeSpan.Zero, string.Empty, [.. tune, "--trials", "40", "--resume"]);
        Assert.AreEqual(0, exit, error);
        var lines = Cli.Lines(output);
        Assert.AreEqual(1, lines.Count(l => l == "[resnet18.C11] 30 trials resumed from the log (not measured again)"), output);
        var printed = lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\[resnet18\.C11\] (\d+)/40 "))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        CollectionAssert.AreEqual(Enumerable.Range(31, 10).Append(40).ToList(), printed, output);
        Assert.HasCount(40, File.ReadAllLines(log));
    }

    [TestMethod]
    public void TuneWritesTheLogTheTableAndThePlot()
    {
        var dir = NewDirectory();
        var log = Path.Combine(dir, "dense.log");
        var png = Path.Combine(dir, "dense.png");
        var clock = Stopwatch.StartNew();
        var (exit, output, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--workload", "resnet18.C11", "--tuner", "grid",
            "--trials", "20", "--log", log, "--plot", png);
        var seconds = clock.Elapsed.TotalSeconds;
        Assert.AreEqual(0, exit, error);

        // Plain progress when the output is not a terminal: a line every 5 s and one at each task's end, not one per trial.
        var lines = Cli.Lines(output);
        var progress = lines.Count(l => l.StartsWith("[dense.512] ", StringComparison.Ordinal) || l.StartsWith("[resnet18.C11] ", StringComparison.Ordinal));
        Assert.IsTrue(progress >= 2 && progress <= 2 + (int)(seconds / 5), $"{progress} progress lines in {seconds:0.0} s:\n{output}");
        Assert.AreEqual(1, lines.Count(l => l.StartsWith("[dense.512] 20/20 ", StringComparison.Ordinal) && l.EndsWith("  done", StringComparison.Ordinal)), output);
        Assert.AreEqual(1, lines.Count(l => l.StartsWith("[resnet18.C11] 20/20 ", StringComparison.Ordinal) && l.EndsWith("  done", StringComparison.Ordinal)), output);
        StringAssert.Contains(output, "best GFLOPS");
        StringAssert.Contains(output, $"log: {log}");

        Assert.HasCount(40, File.ReadAllLines(log));
        var header = File.ReadAllBytes(png)[..8];
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header);

        var (summaryExit, summary, summaryError) = Cli.Run(string.Empty, "log", "summary", log);
        Assert.AreEqual(0, summaryExit, summaryError);
        StringAssert.Contains(summary, "dense.512");
        StringAssert.Contains(summary, "resnet18.C11");
        StringAssert.Contains(summary, "compile_error");

        var (bestExit, best, bestError) = Cli.Run(string.Empty, "log", "best", log);
        Assert.AreEqual(0, bestExit, bestError);
        var bestLines = Cli.Lines(best);
        Assert.HasCount(2, bestLines);
        var all = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var line in bestLines)
        {
            var record = JsonDocument.Parse(line).RootElement;
            var workload = record.GetProperty("hiltuner").GetProperty("workload").GetString();
            var fastest = all.Where(r => r.GetProperty("hiltuner").GetProperty("workload").GetString() == workload && r.GetProperty("result")[1].GetInt32() == 0)
                .Min(r => r.GetProperty("result")[0][0].GetDouble());
            Assert.AreEqual(0, record.GetProperty("result")[1].GetInt32());
            Assert.AreEqual(fastest, record.GetProperty("result")[0][0].GetDouble());
            Assert.Contains(line, File.ReadAllLines(log), "log best prints the record as the log holds it");
        }
    }

    [TestMethod]
    public void TransferFromAnEarlierLogPlansTheFirstBatchFromTheModel()
    {
        // AutoTVM's load_history trains its base model on 500 records or more: the earlier log is C11's whole space
        // (576), and a log of 80 records changes nothing.
        var dir = NewDirectory();
        var earlier = Path.Combine(dir, "c11.log");
        Assert.AreEqual(0, Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--tuner", "grid", "--trials", "576", "--log", earlier).Exit);
        var few = Path.Combine(dir, "c11-few.log");
        Assert.AreEqual(0, Cli.Run(string.Empty, "tune", "--workload", "resnet18.C11", "--tuner", "random", "--trials", "80", "--log", few).Exit);

        string[] Tune(string log, params string[] extra)
        {
            var (exit, _, error) = Cli.Run(string.Empty, ["tune", "--workload", "resnet18.C9", "--tuner", "xgb", "--trials", "8", "--seed", "4", "--log", log, .. extra]);
            Assert.AreEqual(0, exit, error);
            return File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("config").GetProperty("index").ToString()).ToArray();
        }

        var plain = Tune(Path.Combine(dir, "plain.log"));
        var transferred = Tune(Path.Combine(dir, "transfer.log"), "--transfer", earlier);
        Assert.HasCount(8, transferred);
        CollectionAssert.AreNotEqual(plain, transferred, "with a transferred model the first batch is planned, not drawn at random");
        CollectionAssert.AreEqual(plain, Tune(Path.Combine(dir, "few.log"), "--transfer", few), "80 records train no base model");
    }

    [TestMethod]
    public void AnExistingLogIsNotOverwrittenWithoutResume()
    {
        var log = SmallLog("a.log", 5, "random");
        var before = File.ReadAllText(log);

        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", "10", "--tuner", "random", "--log", log);
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error, "--resume");
        Assert.AreEqual(before, File.ReadAllText(log));

        var (resumed, output, resumeError) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", "10", "--tuner", "random", "--log", log, "--resume");
        Assert.AreEqual(0, resumed, resumeError);
        StringAssert.Contains(output, "(5 from the log)");
        Assert.HasCount(10, File.ReadAllLines(log));
        StringAssert.StartsWith(File.ReadAllText(log), before);
    }

    [TestMethod]
    [DataRow("--workload|resnet18.C99", "unknown workload")]
    [DataRow("--network|vgg16", "vgg16")]
    [DataRow("--workload|dense.512|--tuner|xgboost", "unknown tuner \"xgboost\" (known: random, grid, ga, xgb, xgb-vinit, ml2, hiltuner, hiltuner-lann)")]
    [DataRow("--workload|dense.512|--trials|0", "--trials must be at least 1, not 0")]
    [DataRow("--workload|dense.512|--trials|-3", "--trials must be at least 1, not -3")]
    [DataRow("--workload|dense.512|--board|boards/nope.json", "nope.json")]
    [DataRow("--workload|dense.512|--target|fpga", "--target: unknown target \"fpga\" (known: sim, board, auto, replay)")]
    [DataRow("--trials|5", "give --workload W (one or more) or --network resnet18")]
    [DataRow("--workload|dense.512|--repeat|0", "--repeat must be positive, not 0")]
    [DataRow("--workload|dense.512|--timeout|-1", "--timeout must be positive, not -1")]
    [DataRow("--workload|dense.512|--early-stopping|0", "--early-stopping must be positive, not 0")]
    [DataRow("--workload|dense.512|--timeout|NaN", "--timeout must be positive, not NaN")]
    [DataRow("--workload|dense.512|--timeout|1e300", "--timeout must be positive and at most 3600 s (one hour)")]
    [DataRow("--workload|dense.512|--timeout|1e-9", "and at least 0.001 s (the agent's watchdog counts whole milliseconds), not 1E-09")]
    [DataRow("--workload|dense.512|--repeat|2147483647", "--repeat must be at most 1000 (AutoTVM's runners use a few), not 2147483647")]
    [DataRow("--workload|dense.512|--repeat|1000000", "--repeat must be at most 1000")]
    [DataRow("--workload|dense.512|--number|1000001", "--number must be at most 1000")]
    [DataRow("--workload|resnet18.C9|--workload|C9", "--workload resnet18.C9 is given 2 times; give each workload once")]
    [DataRow("--workload|dense.512|--plot|/tmp", "/tmp is a directory; --plot needs a file (for example /tmp/tune.png)")]
    [DataRow("--workload|dense.512|--plot|/proc/nope/x.png", "/proc/nope/x.png: cannot write the plot there")]
    [DataRow("--workload|dense.512|--plot|BOARD|--board|BOARD", "--plot BOARD is also the --board it reads")]
    [DataRow("--workload|dense.512|--min-repeat-ms|NaN", "--min-repeat-ms must be a number of milliseconds")]
    [DataRow("--workload|dense.512|--gate-exploration|NaN", "--gate-exploration must be in [0, 1], not NaN")]
    [DataRow("--workload|dense.512|--xgb-feature|itervar", "--xgb-feature must be knob or program, not \"itervar\"")]
    [DataRow("--workload|dense.512|--transfer|/nonexistent/old.log", "/nonexistent/old.log: cannot be read")]
    [DataRow("--workload|dense.512|--tuner|grid|--transfer|old.log", "--transfer needs a model-based tuner (xgb")]
    public void BadInputGetsOneClearLineAndExitCode2(string args, string message)
    {
        var dir = NewDirectory();
        var argv = new List<string> { "tune" };
        var board = Path.Combine(dir, "board.json");
        File.Copy(Repository.BoardFile("sim.json"), board);
        argv.AddRange(args.Replace("BOARD", board, StringComparison.Ordinal).Split('|'));
        if (!argv.Contains("--trials"))
        {
            argv.AddRange(["--trials", "5"]);
        }

        argv.AddRange(["--log", Path.Combine(dir, "x.log")]);
        var (exit, _, error) = Cli.Run(string.Empty, [.. argv]);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, message.Replace("BOARD", board, StringComparison.Ordinal));
        Assert.IsFalse(File.Exists(Path.Combine(dir, "x.log")), "nothing is written for a run that never started");
        Assert.AreEqual(File.ReadAllText(Repository.BoardFile("sim.json")), File.ReadAllText(board), "no input is touched");
    }

    /// <summary>Resuming a log on another board (or target) would mix its measurements with the new ones: refused.</summary>
    [TestMethod]
    public void ALogOfOneBoardIsNotResumedOnAnother()
    {
        var log = Path.Combine(NewDirectory(), "sim.log");
        var (first, _, firstError) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", "5", "--tuner", "random", "--log", log);
        Assert.AreEqual(0, first, firstError);
        var before = File.ReadAllText(log);

        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", "10", "--tuner", "random", "--log", log, "--resume", "--board", Repository.BoardFile("pynq-z1.json"), "--target", "sim");
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, "were measured on sim (sim); this run measures on sim (pynq-z1)");
        Assert.AreEqual(before, File.ReadAllText(log), "the log is left as it was");
    }

    /// <summary>A log is never the plot, nor the board file it was tuned with: refused before anything is measured, the files left as they were.</summary>
    [TestMethod]
    public void AnOutputThatIsAnInputIsRefused()
    {
        var log = SmallLog("p.log", 3);
        var before = File.ReadAllText(log);
        var spelledOtherwise = Path.Combine(Path.GetDirectoryName(log)!, ".", "p.log");
        foreach (var (option, value, message) in new[] { ("--plot", log, $"--plot {log} is also the --log it reads"), ("--plot", spelledOtherwise, "is also the --log it reads"), ("--board", log, $"--log {log} is also the --board it reads") })
        {
            var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", "5", "--tuner", "grid", "--log", log, "--resume", option, value);
            Assert.AreEqual(2, exit, error);
            Assert.HasCount(1, Cli.Lines(error), error);
            StringAssert.Contains(error, message);
            Assert.AreEqual(before, File.ReadAllText(log), "the log is left as it was");
        }
    }

    /// <summary>A --log that cannot be written is refused before anything is measured, in one line.</summary>
    [TestMethod]
    public void ALogThatCannotBeWrittenIsRefusedBeforeTheRunStarts()
    {
        var dir = NewDirectory();
        var (exit, output, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", "5", "--log", dir);
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, $"{dir} is a directory; --log needs a file");
        Assert.AreEqual(string.Empty, output);

        var file = Path.Combine(dir, "plain");
        File.WriteAllText(file, "not a directory");
        (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", "5", "--log", Path.Combine(file, "x.log"));
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.Contains(error, "cannot write the log there");
    }

    [TestMethod]
    public void AMalformedLogIsRefusedNamingFileAndLine()
    {
        var log = SmallLog("bad.log", 3);
        var lines = File.ReadAllLines(log).ToList();
        lines.Insert(1, "{\"input\": \"oops\"}");
        File.WriteAllLines(log, lines);
        var before = File.ReadAllText(log);

        foreach (var args in new[] { new[] { "log", "summary", log }, ["log", "best", log], ["tune", "--workload", "dense.512", "--trials", "5", "--log", log, "--resume"] })
        {
            var (exit, _, error) = Cli.Run(string.Empty, args);
            Assert.AreEqual(2, exit, string.Join(' ', args));
            StringAssert.Contains(error, $"{log}:2: \"input\" must be a list of 4");
        }

        Assert.AreEqual(before, File.ReadAllText(log), "a refused log is left as it was");
    }

    /// <summary>A record that parses but cannot be a trial (a zero cost that would be the best, a status that is none) is refused.</summary>
    [TestMethod]
    [DataRow("\"result\": \\[\\[[^\\]]*\\], \\d+,|\"result\": [[0.0], 0,", "result[0][0] (cost) is 0")]
    [DataRow("\"status\": \"[a-z_]+\"|\"status\": \"banana\"", "hiltuner.status \"banana\" is not a status")]
    public void ANonsenseRecordIsRefusedNamingFileAndLine(string pattern, string message)
    {
        var log = SmallLog("nonsense.log", 3);
        var lines = File.ReadAllLines(log);
        var (find, replace) = (pattern.Split('|')[0], pattern.Split('|')[1]);
        lines[1] = System.Text.RegularExpressions.Regex.Replace(lines[1], find, replace);
        Assert.Contains(replace, lines[1]);
        File.WriteAllLines(log, lines);

        foreach (var args in new[] { new[] { "log", "best", log }, ["log", "summary", log] })
        {
            var (exit, output, error) = Cli.Run(string.Empty, args);
            Assert.AreEqual(2, exit, error);
            Assert.HasCount(1, Cli.Lines(error), error);
            StringAssert.Contains(error, $"{log}:2: {message}");
            Assert.AreEqual(string.Empty, output);
        }
    }

    [TestMethod]
    public void ARecordWhoseIndexDisagreesWithItsEntityIsRefused()
    {
        var log = SmallLog("mixed.log", 3);
        var lines = File.ReadAllLines(log);
        lines[1] = lines[1].Replace("\"index\": 1,", "\"index\": 9,", StringComparison.Ordinal);
        File.WriteAllLines(log, lines);
        var (exit, _, error) = Cli.Run(string.Empty, "tune", "--workload", "dense.512", "--trials", "5", "--tuner", "grid", "--log", log, "--resume");
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error, "has index 9 but its entity is configuration 1");
        Assert.HasCount(3, File.ReadAllLines(log));
    }

    [TestMethod]
    public void ATornLastLineIsReportedAsAWarning()
    {
        var log = SmallLog("torn.log", 3);
        File.AppendAllText(log, "{\"input\": [\"ext_dev");
        var (exit, output, error) = Cli.Run(string.Empty, "log", "summary", log);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(error, $"warning: {log}:4: the last line is incomplete");
        StringAssert.Contains(output, "dense.512");
    }

    /// <summary>
    /// The resume guarantee against a real kill: a tuning process is killed with SIGKILL at a random trial (and a
    /// random instant within it, so possibly mid-write), resumed with the same command and <c>--resume</c>, and
    /// must end with exactly the records an uninterrupted run writes: the same configurations in the same order,
    /// none twice, none lost, trial numbers continuing.
    /// </summary>
    [TestMethod]
    [DataRow(11)]
    [DataRow(29)]
    [DataRow(2026)]
    public void ATuningProcessKilledWithSigkillResumesExactly(int seed)
    {
        var dir = NewDirectory();
        string[] Args(string log) => ["tune", "--workload", "resnet18.C11", "--workload", "resnet18.C9", "--tuner", "xgb", "--trials", "72", "--seed", "5", "--log", log];

        var whole = Path.Combine(dir, "whole.log");
        var (exit, _, error) = Cli.Run(string.Empty, Args(whole));
        Assert.AreEqual(0, exit, error);
        var expected = File.ReadAllLines(whole).Select(Key).ToList();
        Assert.HasCount(144, expected);

        var random = new Random(seed);
        var killAt = random.Next(1, expected.Count - 1);
        var killed = Path.Combine(dir, "killed.log");
        var stderr = new System.Text.StringBuilder();
        using (var process = Start(Args(killed), stderr))
        {
            while (!process.HasExited && CountLines(killed) < killAt)
            {
                Thread.Sleep(2);
            }

            Thread.Sleep(random.Next(0, 15));
            Assert.IsFalse(process.HasExited, $"the run ended before the kill at record {killAt}: {stderr}");
            process.Kill();
            process.WaitForExit();
        }

        var survived = File.ReadAllText(killed);
        TestContext.WriteLine($"killed after {CountLines(killed)} complete records (aimed at {killAt}); torn tail: {!survived.EndsWith('\n')}");
        var (resumed, output, resumeError) = Cli.Run(string.Empty, [.. Args(killed), "--resume"]);
        Assert.AreEqual(0, resumed, resumeError);
        StringAssert.Contains(output, "from the log)");

        var actual = File.ReadAllLines(killed).Select(Key).ToList();
        CollectionAssert.AreEqual(expected, actual);
    }

    /// <summary>
    /// The one-writer lock dies with its writer: a run killed with SIGKILL leaves no lock file behind to block the
    /// next run, while a second run on a log still being written is refused in one line.
    /// </summary>
    [TestMethod]
    public void AKilledRunLeavesNoLockAndALiveOneRefusesASecondWriter()
    {
        var log = Path.Combine(NewDirectory(), "locked.log");
        string[] args = ["tune", "--network", "resnet18", "--tuner", "random", "--trials", "1000", "--log", log];
        var stderr = new System.Text.StringBuilder();
        using (var process = Start(args, stderr))
        {
            while (!process.HasExited && CountLines(log) < 3)
            {
                Thread.Sleep(2);
            }

            Assert.IsFalse(process.HasExited, stderr.ToString());
            var (second, _, error) = Cli.Run(string.Empty, [.. args, "--resume"]);
            Assert.AreEqual(2, second, error);
            StringAssert.Contains(Cli.Lines(error)[^1], $"{log}: another process is writing this log");
            process.Kill();
            process.WaitForExit();
        }

        Assert.AreEqual(0, Directory.GetFiles(Path.GetDirectoryName(log)!, "*.lock").Length, "nothing is left to block the next run");
        var (resumed, output, resumeError) = Cli.Run(string.Empty, "tune", "--workload", "resnet18.C2", "--tuner", "random", "--trials", "3", "--log", log, "--resume");
        Assert.AreEqual(0, resumed, resumeError);
        StringAssert.Contains(output, "from the log)");
    }

    /// <summary>What must match between two runs: workload, configuration, trial number, status and costs (not wall time).</summary>
    private static string Key(string line)
    {
        var r = JsonDocument.Parse(line).RootElement;
        var facts = r.GetProperty("hiltuner");
        return $"{facts.GetProperty("workload").GetString()} #{r.GetProperty("config").GetProperty("index").GetInt64()} trial {facts.GetProperty("trial").GetInt32()} {facts.GetProperty("status").GetString()} {r.GetProperty("result")[0]}";
    }

    private static int CountLines(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var count = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            count += b == '\n' ? 1 : 0;
        }

        return count;
    }

    private static Process Start(string[] args, System.Text.StringBuilder stderr)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "hiltuner.dll");
        Assert.IsTrue(File.Exists(dll), $"{dll} is missing");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start hiltuner");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
