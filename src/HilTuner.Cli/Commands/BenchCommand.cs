using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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
                }));
            }

            return run.Matches ? 0 : 1;
        });
        return command;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
