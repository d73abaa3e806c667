using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Tuning.Benchmarks;
using HilTuner.Validity;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner bench gate</c>: the validity gate's rows per second through ML.NET and OnnxRuntime, side by side.</summary>
internal static class BenchGateCommand
{
    /// <summary>The batch the hiltuner tuner screens at once is every unvisited compiled configuration of a layer (hundreds).</summary>
    private static readonly int[] Batches = [8, 64, 256, 1024];

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "A validity model (ONNX, with its ML.NET form beside it)", HelpName = "FILE.onnx", Required = true };
        var board = BoardOption.Create();
        var rows = new Option<int>("--rows") { Description = "Rows per timed pass", DefaultValueFactory = _ => 100_000 };
        var json = new Option<bool>("--json") { Description = "End with one JSON line of the figures" };
        var command = new Command("gate", """
            Rows per second through the validity gate on one model, in one run, on the same rows (the compiled
            configurations of ResNet-18's layers): a reused ML.NET PredictionEngine, ML.NET's batch Transform, and
            OnnxRuntime in batches of 8 (the session's gate), 64, 256 and 1024 (the hiltuner tuner screens a layer's
            unvisited configurations at once). Targets: OnnxRuntime ≥ 5× the PredictionEngine and ≥ 1.5× Transform.
            """) { model, board, rows, json };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var path = parse.GetValue(model)!;
            var count = parse.GetValue(rows);
            if (count < 1000)
            {
                throw new CliException($"--rows must be at least 1000, not {count}");
            }

            var distinct = new List<float[]>();
            foreach (var w in WorkloadRegistry.ResNet18)
            {
                var space = Templates.For(w, b.Vta);
                for (var i = 0L; i < space.Size; i++)
                {
                    if (VtaCompiler.Compile(w, space.Get(i), b).Program is { } program)
                    {
                        distinct.Add(ProgramFeatures.Of(program, b));
                    }
                }
            }

            GateBenchmark.Result result;
            try
            {
                result = GateBenchmark.Run(path, b, distinct, count, Batches);
            }
            catch (ValidityModelException e)
            {
                throw new CliException(e.Message);
            }

            var table = new Table().AddColumns("engine", "rows/s", "× PredictionEngine", "× Transform");
            table.Title = new TableTitle(Markup.Escape($"{Path.GetFileName(path)} on {b.Name}: {result.Rows:N0} rows ({distinct.Count:N0} distinct) per pass, best of {GateBenchmark.Rounds} rounds taken in turn"));
            table.AddRow("ML.NET PredictionEngine (reused)", F(result.PredictionEngine, "N0"), "1.00", F(result.PredictionEngine / result.Transform, "F2"));
            table.AddRow("ML.NET batch Transform", F(result.Transform, "N0"), F(result.Transform / result.PredictionEngine, "F2"), "1.00");
            foreach (var (batch, rate) in result.Onnx)
            {
                table.AddRow($"OnnxRuntime, batches of {batch}", F(rate, "N0"), F(rate / result.PredictionEngine, "F2"), F(rate / result.Transform, "F2"));
            }

            var largest = result.Onnx.Max(o => o.Batch);
            table.AddRow($"OnnxRuntime, batches of {largest}, one core", F(result.OnnxOneLane, "N0"), F(result.OnnxOneLane / result.PredictionEngine, "F2"), F(result.OnnxOneLane / result.Transform, "F2"));
            table.Caption = new TableTitle(Markup.Escape(
                $"OnnxRuntime runs {result.Lanes} lane(s), one per core, unless the row says one core; the PredictionEngine runs on one thread."));

            context.Console.Write(table);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest probability difference between the engines: {result.MaxDifference:E2}"));
            if (parse.GetValue(json))
            {
                var onnx = new JsonObject();
                foreach (var (batch, rate) in result.Onnx)
                {
                    onnx[batch.ToString(CultureInfo.InvariantCulture)] = rate;
                }

                context.Out.WriteLine(HumanJson.Write(new JsonObject
                {
                    ["rows"] = result.Rows,
                    ["prediction_engine_rows_per_s"] = result.PredictionEngine,
                    ["transform_rows_per_s"] = result.Transform,
                    ["onnx_rows_per_s"] = onnx,
                    ["onnx_lanes"] = result.Lanes,
                    ["onnx_one_core_rows_per_s"] = result.OnnxOneLane,
                    ["max_difference"] = result.MaxDifference,
                }));
            }

            return 0;
        });
        return command;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
