using System.CommandLine;
using System.Globalization;
using HilTuner.Vta.Programs;
using HilTuner.Vta.Simulation;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner sim …</c>: run programs on the bit-level simulator.</summary>
internal static class SimCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("sim", "Run programs on the bit-level VTA simulator");
        command.Subcommands.Add(MatMul(context));
        return command;
    }

    private static Command MatMul(CliContext context)
    {
        var board = BoardOption.Create();
        var seed = new Option<int>("--seed") { Description = "Seed of the random int8 operands", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Virtual threads: 1, or 2 to double-buffer", DefaultValueFactory = _ => 2 };
        var races = new Option<bool>("--check-races") { Description = "Report SRAM accesses that no dependency token orders" };
        var command = new Command("matmul", """
            Simulate a tiled int8 matrix product (512×256 by 256×1024 values, shift and clip epilogue) assembled by hand,
            check it bit-exact against a reference, and print the board time the timing model gives.
            """) { board, seed, threads, races };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var shape = MatrixProductShape.BenchmarkFor(b) with { VirtualThreads = parse.GetValue(threads) };
            var run = MatrixProductRun.Execute(b, shape, parse.GetValue(seed), new RunOptions { CheckRaces = parse.GetValue(races) });
            Print(context, run);
            return run.Matches ? 0 : 1;
        });
        return command;
    }

    internal static void Print(CliContext context, MatrixProductRun run)
    {
        var r = run.Result;
        var s = run.Product.Shape;
        var output = context.Out;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{run.Board.Name} ({run.Board.Vta.TargetModel}, {run.Board.Fabric.ClockMhz} MHz): " +
            $"matrix product {s.Rows}×{s.InBlocks * run.Board.Vta.BlockIn} by {s.InBlocks * run.Board.Vta.BlockIn}×{s.OutBlocks * run.Board.Vta.BlockOut}, " +
            $"tiles {s.TileRows}×{s.TileOutBlocks}, {s.VirtualThreads} virtual thread(s)"));
        output.WriteLine(r.Diagnostic);
        if (r.Status == RunStatus.Finished)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Product.MultiplyAccumulates:N0} MACs in {r.Cycles:N0} cycles: {run.BoardGops:F2} GOPS on the board; output {(run.Matches ? "matches" : "DOES NOT MATCH")} the reference"));
        }

        var table = new Table().AddColumns("module", "instructions", "busy", "stalled", "idle");
        foreach (var m in r.Modules)
        {
            table.AddRow(m.Module.ToString().ToLowerInvariant(), Number(m.Instructions), Number(m.BusyCycles), Number(m.StalledCycles), Number(m.IdleCycles));
        }

        context.Console.Write(table);
        foreach (var warning in r.Warnings)
        {
            output.WriteLine("warning: " + warning);
        }

        foreach (var race in r.Races)
        {
            output.WriteLine("race: " + race);
        }
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
