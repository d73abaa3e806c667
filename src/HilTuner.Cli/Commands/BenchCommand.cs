using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Programs;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner bench …</c>: performance figures measured side by side in one run.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("bench", "Benchmarks: every figure is measured in the same run that prints it");
        command.Subcommands.Add(Sim(context));
        command.Subcommands.Add(Compile(context));
        command.Subcommands.Add(GroundTruthCommand.Create(context));
        command.Subcommands.Add(BenchTunersCommand.Create(context));
        command.Subcommands.Add(BenchGateCommand.Create(context));
        command.Subcommands.Add(BenchLinkCommand.Create(context));
        command.Subcommands.Add(BenchPredictorsCommand.Create(context));
        command.Subcommands.Add(BenchSelectCommand.Create(context));
        return command;
    }

    private static Command Compile(CliContext context)
    {
        var board = BoardOption.Create();
        var json = new Option<bool>("--json") { Description = "End with one JSON line: per layer, median, mean and max milliseconds per compiled configuration" };
        var command = new Command("compile", """
            Compile every configuration of every ResNet-18 layer (as `space --enumerate` does) and report, per layer, the
            wall time of the whole space and the median, mean and largest time to compile one configuration that builds.
            """) { board, json };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var table = new Table().AddColumns("layer", "configurations", "build", "space (s)", "median per build (ms)", "mean per build (ms)", "max per build (ms)");
            var summary = new Dictionary<string, Dictionary<string, double>>();
            foreach (var w in WorkloadRegistry.ResNet18)
            {
                var space = Templates.For(w, b.Vta);
                VtaCompiler.Compile(w, space.Get(0), b);
                var times = new List<double>();
                var whole = Stopwatch.StartNew();
                for (var i = 0L; i < space.Size; i++)
                {
                    var one = Stopwatch.StartNew();
                    var result = VtaCompiler.Compile(w, space.Get(i), b);
                    var ms = one.Elapsed.TotalMilliseconds;
                    if (result.Succeeded)
                    {
                        times.Add(ms);
                    }
                }

                times.Sort();
                var (median, mean, worst) = times.Count == 0 ? (0, 0, 0) : (times[times.Count / 2], times.Average(), times[^1]);
                table.AddRow(w.Name, F(space.Size, "N0"), F(times.Count, "N0"), F(whole.Elapsed.TotalSeconds, "F2"), F(median, "F3"), F(mean, "F3"), F(worst, "F3"));
                summary[w.Name] = new Dictionary<string, double>
                {
                    ["median_ms"] = median,
                    ["mean_ms"] = mean,
                    ["max_ms"] = worst,
                    ["space_s"] = whole.Elapsed.TotalSeconds,
                };
            }

            context.Console.Write(table);
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(summary, HumanJson.Options));
            }

            return 0;
        });
        return command;
    }

    /// <summary>The boards <c>bench sim</c> measures when no <c>--board</c> is given: the default and the PYNQ board it models.</summary>
    public static readonly string[] SimBenchBoards = [Board.DefaultName, "pynq-z1.json"];

    private static Command Sim(CliContext context)
    {
        var boards = new Option<string[]>("--board")
        {
            Description = $"Board files to measure (repeatable); without it, the embedded {string.Join(" and ", SimBenchBoards)}",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = false,
        };
        var runs = new Option<int>("--runs") { Description = "Timed runs per board (1 to 1000); the median is reported", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "End with one JSON line: runs, and per board macs_per_s, wall_s, board_s, slowdown (medians)" };
        var command = new Command("sim", """
            Simulate a GEMM-heavy tiled matrix product (134 M multiply-accumulates) on one core, after untimed runs (at least three, for at least 0.5 s), --runs
            times on each board, and report per board the simulated MACs per second, the modelled board seconds (the
            accelerator's cycles at the fabric clock, without the host side of a call), the simulator's wall seconds and the
            slowdown (wall ÷ board seconds): the median of the runs, and the fastest and slowest run's slowdown. Target:
            slowdown ≤ 1 on PYNQ (the simulator as fast as the board it models).
            """) { boards, runs, json };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(runs);
            if (n is < 1 or > 1000)
            {
                throw new CliException($"--runs must be between 1 and 1000, not {n}");
            }

            var given = parse.GetValue(boards) ?? [];
            var loaded = given.Length == 0 ? SimBenchBoards.Select(Board.Embedded).ToList() : given.Select(BoardOption.Load).ToList();
            var table = new Table().AddColumns("board", "MACs", "board s (modelled)", "wall s", "MACs/s", "slowdown", "fastest – slowest", "output");
            var figures = new JsonArray();
            var matches = true;
            var benches = SimBench.Measure(loaded, n);
            foreach (var (b, bench) in loaded.Zip(benches))
            {
                matches &= bench.Matches;
                table.AddRow(
                    Markup.Escape($"{b.Name} ({b.Vta.TargetModel}, {b.Fabric.ClockMhz} MHz)"),
                    F(bench.MultiplyAccumulates, "N0"),
                    F(bench.BoardSeconds, "F6"),
                    F(bench.WallSeconds, "F6"),
                    F(bench.MacsPerSecond, "E3"),
                    F(bench.Slowdown, "F2"),
                    $"{F(bench.FastestSlowdown, "F2")} – {F(bench.SlowestSlowdown, "F2")}",
                    bench.Matches ? "matches the reference" : "[red]DOES NOT MATCH the reference[/]");
                figures.Add(new JsonObject
                {
                    ["board"] = b.Name,
                    ["source"] = b.Source,
                    ["macs"] = bench.MultiplyAccumulates,
                    ["macs_per_s"] = bench.MacsPerSecond,
                    ["wall_s"] = bench.WallSeconds,
                    ["board_s"] = bench.BoardSeconds,
                    ["slowdown"] = bench.Slowdown,
                    ["matches"] = bench.Matches,
                });
            }

            context.Console.Write(table);
            context.Out.WriteLine($"median of {n} run{(n == 1 ? string.Empty : "s")} per board, one core, on {Environment.ProcessorCount} cores ({System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}); slowdown = wall ÷ modelled board seconds");
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(new JsonObject { ["runs"] = n, ["boards"] = figures }.ToJsonString(HumanJson.Options));
            }

            return matches ? 0 : 1;
        });
        return command;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
