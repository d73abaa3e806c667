using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
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
        command.Subcommands.Add(Run(context));
        command.Subcommands.Add(MatMul(context));
        return command;
    }

    private static Command Run(CliContext context)
    {
        var board = BoardOption.Create();
        var workload = WorkloadOption.Create();
        var index = new Option<long?>("--index") { Description = "The configuration's AutoTVM index" };
        var knobs = new Option<string?>("--knobs") { Description = "The configuration as knob values {\"tile_h\": 7, …} or an AutoTVM entity list" };
        var seed = new Option<int>("--seed") { Description = "Seed of the inputs: data and weights uniform in [-128, 127], bias in [-2^14, 2^14)", DefaultValueFactory = _ => 0 };
        var dumpInputs = new Option<string?>("--dump-inputs") { Description = "Write data.bin (int8), weight.bin (int8) and bias.bin (int32 LE) in plain layouts to this folder", HelpName = "DIR" };
        var dumpOutput = new Option<string?>("--dump-output") { Description = "Write the int8 result in the plain layout to this file", HelpName = "FILE" };
        var dumpProgram = new Option<string?>("--dump-program")
        {
            Description = "Write the compiled program's instructions as hex lines (what `isa dis` reads) to this new file",
            HelpName = "FILE",
        };
        var races = new Option<bool>("--check-races") { Description = "Report SRAM accesses that no dependency token orders" };
        var force = new Option<bool>("--force") { Description = "Replace an existing --dump-output file (without it, an existing file is refused)" };
        var command = new Command("run", """
            Compile one configuration of a workload, simulate it on the board's VTA and check the result bit-exact against
            the reference operator; print one JSON object: status, error_no, error, cycles, seconds, gflops, check, features.
            """) { workload, index, knobs, board, seed, dumpInputs, dumpOutput, dumpProgram, races, force };
        command.SetAction(parse =>
        {
            OutputPaths.RequireNotAnInput("--dump-output", parse.GetValue(dumpOutput), ("--board", parse.GetValue(board)), ("--workload", parse.GetValue(workload)));
            OutputPaths.RequireNew("--dump-output", parse.GetValue(dumpOutput), parse.GetValue(force));
            var b = BoardOption.Load(parse, board);
            var w = WorkloadOption.Resolve(parse, workload);
            var space = Templates.For(w, b.Vta);
            var config = SelectConfiguration(space, parse.GetValue(index), parse.GetValue(knobs));
            var programFile = parse.GetValue(dumpProgram);
            if (programFile is not null && Path.Exists(programFile))
            {
                throw new CliException($"--dump-program: {programFile} already exists; it is not overwritten");
            }

            var tensors = OperatorTensors.Random(w, parse.GetValue(seed));
            if (parse.GetValue(dumpInputs) is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllBytes(Path.Combine(dir, "data.bin"), MemoryMarshal.AsBytes(tensors.Data.AsSpan()).ToArray());
                File.WriteAllBytes(Path.Combine(dir, "weight.bin"), MemoryMarshal.AsBytes(tensors.Weight.AsSpan()).ToArray());
                File.WriteAllBytes(Path.Combine(dir, "bias.bin"), MemoryMarshal.AsBytes(tensors.Bias.AsSpan()).ToArray());
            }

            var compiled = VtaCompiler.Compile(w, config, b);
            var result = new JsonObject
            {
                ["workload"] = w.Name,
                ["board"] = b.Name,
                ["index"] = config.Index,
                ["entity"] = config.Entity(),
            };
            if (compiled.Program is not { } program)
            {
                result["status"] = MeasureStatus.CompileError.JsonName();
                result["error_no"] = (int)MeasureStatus.CompileError.ErrorNo();
                result["error"] = compiled.Error!.Message;
                result["cycles"] = 0;
                result["seconds"] = null;
                result["gflops"] = 0.0;
                result["check"] = null;
                result["features"] = null;
                context.Out.WriteLine(HumanJson.Write(result));
                if (programFile is not null)
                {
                    context.Error.WriteLine($"hiltuner: --dump-program: {programFile} not written, the configuration does not compile");
                }

                return 0;
            }

            if (programFile is not null)
            {
                ProgramFile.Write(programFile, program.Image.Instructions,
                    $"{w.Name} #{config.Index} {config.Entity().ToJsonString()} on {b.Name}: {program.Image.Instructions.Count} instructions, {program.Image.MicroOps.Length} micro-ops");
            }

            var target = new SimTarget(b);
            var (measurement, output) = target.MeasureWithOutput(program, tensors, checkRaces: parse.GetValue(races));
            if (parse.GetValue(dumpOutput) is { } file && output is not null)
            {
                File.WriteAllBytes(file, MemoryMarshal.AsBytes(output.AsSpan()).ToArray());
            }

            result["status"] = measurement.Status.JsonName();
            result["error_no"] = (int)measurement.ErrorNo;
            result["error"] = measurement.Error;
            result["cycles"] = measurement.Cycles;
            result["seconds"] = measurement.Seconds;
            result["gflops"] = measurement.Seconds > 0 && measurement.Status == MeasureStatus.Ok ? w.Operations / measurement.Seconds / 1e9 : 0.0;
            result["check"] = measurement.Matches switch { true => "match", false => "mismatch", _ => null };
            var features = new JsonObject();
            for (var i = 0; i < CompileFeatures.Definitions.Count; i++)
            {
                features[CompileFeatures.Definitions[i].Name] = program.Features.Values[i];
            }

            result["features"] = features;
            if (measurement.Races.Count > 0)
            {
                result["races"] = new JsonArray(measurement.Races.Select(r => (JsonNode)JsonValue.Create(r.ToString())).ToArray());
            }

            context.Out.WriteLine(HumanJson.Write(result));
            return 0;
        });
        return command;
    }

    internal static Configuration SelectConfiguration(ConfigSpace space, long? index, string? knobs)
    {
        if (index.HasValue == (knobs is not null))
        {
            throw new CliException("give exactly one of --index N and --knobs JSON");
        }

        try
        {
            return index is { } i ? space.Get(i) : space.FromKnobs(knobs!, complete: true);
        }
        catch (ArgumentOutOfRangeException e) when (index.HasValue)
        {
            throw new CliException($"--index: {e.Message.Split(" (Parameter")[0]}");
        }
        catch (FormatException e)
        {
            throw new CliException($"--{e.Message}");
        }
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
            if (parse.GetValue(threads) is not (1 or 2))
            {
                throw new CliException($"--threads must be 1 or 2 (VTA's virtual threads), not {parse.GetValue(threads)}");
            }

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
