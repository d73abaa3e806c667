using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Replay;
using HilTuner.Vta.Config;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary>
/// <c>hiltuner bench groundtruth</c>: measure every configuration of a space on the simulator once and keep the
/// result, so that <c>--target replay</c> can answer tuners' measurements from it.
/// </summary>
internal static class GroundTruthCommand
{
    public const string DefaultDirectory = "out/groundtruth";

    public static Command Create(CliContext context)
    {
        var selection = WorkloadSelection.Create("measure");
        var board = BoardOption.Create();
        var output = new Option<string>("--out") { Description = "Where the tables are kept", HelpName = "DIR", DefaultValueFactory = _ => DefaultDirectory };
        var force = new Option<bool>("--force") { Description = "Measure again even when a table for this workload, board and build exists" };
        var truthBoards = TruthBoardOption.Create();
        var command = new Command("groundtruth", """
            Compile and simulate every configuration of each workload's space on the board and keep status, cycles and
            board seconds per configuration in a table keyed by workload, board and the build of the compiler and
            simulator. `tune --target replay` and `bench tuners` answer measurements from these tables. With --truth-board,
            the tables of each truth board (the same VTA configuration, other timing) are measured too: `bench tuners
            --truth-board` answers from them.
            """) { board, truthBoards, output, force };
        selection.AddTo(command);
        command.SetAction(parse =>
        {
            var nominal = BoardOption.Load(parse, board);
            var truths = TruthBoardOption.Load(parse, truthBoards, nominal);
            var directory = parse.GetValue(output)!;
            Logs.RequireWritableDirectory(directory, "--out");
            var workloads = selection.Select(parse, nominal);
            context.Out.WriteLine(TruthBoardOption.Headline(nominal, truths, noiseCv: null));
            var table = new Table().AddColumns("workload", "board", "configurations", "statuses", "best", "GFLOPS", "time", "file");
            foreach (var (workload, b) in workloads.SelectMany(w => (ReferenceEquals(truths[0], nominal) ? truths : [nominal, .. truths]).Select(t => (w, t))))
            {
                var path = Path.Combine(directory, GroundTruthTable.FileName(workload, b));
                var clock = Stopwatch.StartNew();
                GroundTruthTable truth;
                if (File.Exists(path) && !parse.GetValue(force))
                {
                    truth = Load(directory, workload, b);
                }
                else
                {
                    var last = Stopwatch.StartNew();
                    truth = GroundTruthTable.Measure(workload, b, progress: (done, total) =>
                    {
                        if (done == total || last.ElapsedMilliseconds > 2000)
                        {
                            lock (last)
                            {
                                last.Restart();
                                context.Error.WriteLine($"[{workload.Name}] {done}/{total} configurations measured");
                            }
                        }
                    });
                    truth.Save(path);
                }

                var (bestIndex, bestSeconds) = truth.Best();
                table.AddRow(
                    workload.Name,
                    Markup.Escape(b.Name),
                    truth.Entries.Count.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(", ", truth.Counts().OrderBy(c => c.Key).Select(c => $"{c.Key.JsonName()} {c.Value}"))),
                    bestIndex >= 0 ? $"#{bestIndex}" : "-",
                    bestIndex >= 0 ? (workload.Operations / bestSeconds / 1e9).ToString("F2", CultureInfo.InvariantCulture) : "-",
                    clock.Elapsed.ToString(@"m\:ss", CultureInfo.InvariantCulture),
                    Markup.Escape(path));
            }

            context.Console.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>The table of <paramref name="workload"/> on <paramref name="board"/> in <paramref name="directory"/>, or a clear error.</summary>
    public static GroundTruthTable Load(string directory, Workload workload, Board board)
    {
        var path = Path.Combine(directory, GroundTruthTable.FileName(workload, board));
        if (!File.Exists(path))
        {
            var boardArgument = board.Source.StartsWith("embedded:", StringComparison.Ordinal) ? string.Empty : $" --board {board.Source}";
            throw new CliException(
                $"no ground truth for {workload.Name} on {board.Name} in {directory} (for this build of the compiler and simulator): run hiltuner bench groundtruth --workload {workload.Name}{boardArgument} --out {directory}");
        }

        try
        {
            return GroundTruthTable.Load(path, workload, board);
        }
        catch (GroundTruthException e)
        {
            throw new CliException(e.Message);
        }
    }
}
