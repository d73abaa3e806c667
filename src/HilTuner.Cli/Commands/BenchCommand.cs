using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
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

    private static Command Sim(CliContext context)
    {
        var board = BoardOption.Create();
        var json = new Option<bool>("--json") { Description = "End with one JSON line: macs_per_s, wall_s, board_s, slowdown" };
        var command = new Command("sim", """
            Simulate a GEMM-heavy tiled matrix product (134 M multiply-accumulates) on one core and report simulated MACs per
            second, wall seconds, the modelled board seconds, and the slowdown (wall ÷ board time). Target: slowdown ≤ 20 on PYNQ.
            """) { board, json };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var shape = MatrixProductShape.BenchmarkFor(b);

            // A small run first, so that the timed run measures compiled code rather than the JIT.
            MatrixProductRun.Execute(b, shape with { Rows = shape.TileRows * 2, OutBlocks = shape.TileOutBlocks * 2 }, seed: 2);
            var run = MatrixProductRun.Execute(b, shape, seed: 1);

            var table = new Table().AddColumns("figure", "value");
            table.AddRow("board", Markup.Escape($"{b.Name} ({b.Vta.TargetModel}, {b.Fabric.ClockMhz} MHz, {b.Fabric.AxiDataBusBits}-bit AXI)"));
            table.AddRow("multiply-accumulates", F(run.Product.MultiplyAccumulates, "N0"));
            table.AddRow("board cycles", F(run.Result.Cycles, "N0"));
            table.AddRow("board seconds (modelled)", F(run.AcceleratorSeconds, "F6"));
            table.AddRow("wall seconds (one core)", F(run.WallSeconds, "F6"));
            table.AddRow("simulated MACs per second", F(run.MacsPerSecond, "E3"));
            table.AddRow("slowdown (wall ÷ board)", F(run.Slowdown, "F2"));
            table.AddRow("output", run.Matches ? "matches the reference" : "[red]DOES NOT MATCH the reference[/]");
            context.Console.Write(table);
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
                {
                    ["macs_per_s"] = run.MacsPerSecond,
                    ["wall_s"] = run.WallSeconds,
                    ["board_s"] = run.AcceleratorSeconds,
                    ["slowdown"] = run.Slowdown,
                }, HumanJson.Options));
            }

            return run.Matches ? 0 : 1;
        });
        return command;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
