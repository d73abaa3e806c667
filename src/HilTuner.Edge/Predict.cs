using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Onnx;
using HilTuner.Validity;
using HilTuner.Validity.Performance;
using HilTuner.Vta.Config;

namespace HilTuner.Edge;

/// <summary>
/// <c>hiltuner-predict</c>: the validity model on the board itself. Compiles the configurations asked for and prints,
/// one JSON line each, every head's probability and whether the gate would skip or measure it. Probabilities are
/// printed round-trip ("R", invariant culture) so that two builds (x64, arm64) can be compared digit for digit.
/// </summary>
public static class Predict
{
    public const string Name = "hiltuner-predict";

    /// <summary>Exit code for bad input (missing or mismatched model, unknown workload, index outside the space…).</summary>
    public const int BadInput = 2;

    /// <summary>
    /// The runtime option (in <c>hiltuner-predict.runtimeconfig.json</c>) naming the engine that runs the model, set
    /// when the program is published: <c>Managed</c> for linux-arm, whose platform OnnxRuntime has no native library
    /// for; <c>OnnxRuntime</c> otherwise (also when the option is absent).
    /// </summary>
    public const string EngineOption = "HilTuner.Edge.TreeEngine";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model")
        {
            Description = "The validity model (.onnx) written by hiltuner model train-validity, or a performance model written by hiltuner model train-perf",
            HelpName = "FILE",
            Required = true,
        };
        var board = new Option<string?>("--board")
        {
            Description = "Board file (boards/*.json); the embedded default is boards/sim.json (PYNQ configuration, simulator)",
            HelpName = "FILE",
        };
        var workload = new Option<string>("--workload")
        {
            Description = "A workload: resnet18.C2 … resnet18.C11, dense.512, …, or a custom conv2d / dense layer as a JSON file or JSON text",
            HelpName = "W",
            Required = true,
        };
        var index = new Option<long[]>("--index")
        {
            Description = "A configuration by its AutoTVM index (repeat for several)",
            HelpName = "N",
        };
        var knobs = new Option<string?>("--knobs")
        {
            Description = "A configuration by its knob values: {\"tile_h\": 7, \"oc_nthread\": 2, …} or an AutoTVM entity list",
            HelpName = "JSON",
        };
        var all = new Option<bool>("--all") { Description = "Every configuration of the space, in index order" };
        var features = new Option<bool>("--features")
        {
            Description = "Print the model's input rows as CSV (a header \"index,<feature names>\", then one line per configuration that compiles) " +
                "instead of probabilities: what `vta-agent predict --model FILE` reads on a board without .NET",
        };

        var root = new RootCommand(
            "hiltuner-predict: the probability that configurations of a workload fail on the board, by a HilTuner validity model (one JSON line each)")
        {
            model, board, workload, index, knobs, all, features,
        };
        root.SetAction(parse =>
        {
            var indices = parse.GetValue(index) ?? [];
            var knobText = parse.GetValue(knobs);
            var everything = parse.GetValue(all);
            if ((indices.Length > 0 ? 1 : 0) + (knobText is null ? 0 : 1) + (everything ? 1 : 0) != 1)
            {
                throw new PredictException("give exactly one of --index N (repeatable), --knobs JSON or --all");
            }

            var b = Board.LoadOrDefault(parse.GetValue(board));
            if (b.Assumption is { } assumption)
            {
                error.WriteLine($"{Name}: {assumption}");
            }

            var w = WorkloadRegistry.Resolve(parse.GetValue(workload)!);
            var space = Templates.For(w, b.Vta);
            var configurations = everything ? Every(space)
                : knobText is not null ? [FromKnobs(space, knobText)]
                : indices.Select(i => At(space, w, b, i)).ToList();
            var path = parse.GetValue(model)!;
            if (PerformancePredictor.IsPerformanceModel(ValidityPredictor.ReadInfo(path)))
            {
                if (parse.GetValue(features))
                {
                    throw new PredictException($"--features: {path} is a performance model; the rows are for a validity model (vta-agent predict evaluates tree ensembles)");
                }

                using var performance = PerformancePredictor.Open(path, b);
                foreach (var configuration in configurations)
                {
                    output.WriteLine(SecondsLine(performance, w, b, configuration));
                }

                output.Flush();
                return 0;
            }

            using var predictor = ValidityPredictor.Open(path, b, options: ValidityPredictor.DefaultOptions with { Engine = Engine() });
            if (parse.GetValue(features))
            {
                WriteRows(output, error, predictor, w, b, configurations);
                return 0;
            }

            foreach (var configuration in configurations)
            {
                output.WriteLine(Line(predictor, w, b, configuration));
            }

            output.Flush();
            return 0;
        });

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            error.WriteLine($"{Name}: {string.Join("; ", result.Errors.Select(e => e.Message.TrimEnd('.')))} (see {Name} --help)");
            return BadInput;
        }

        try
        {
            return result.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is PredictException or BoardFileException or WorkloadException or ValidityModelException or PerformanceModelException)
        {
            error.WriteLine($"{Name}: {e.Message}");
            return BadInput;
        }
    }

    /// <summary>The engine this build was published with (<see cref="EngineOption"/>).</summary>
    public static TreeEngine Engine()
    {
        var value = AppContext.GetData(EngineOption) as string;
        if (value is null)
        {
            return TreeEngine.OnnxRuntime;
        }

        return Enum.GetNames<TreeEngine>().Contains(value, StringComparer.Ordinal)
            ? Enum.Parse<TreeEngine>(value)
            : throw new PredictException(
                $"{Name}.runtimeconfig.json: {EngineOption} is \"{value}\", not one of {string.Join(", ", Enum.GetNames<TreeEngine>())}");
    }

    /// <summary>One configuration's line: its probabilities and verdict, or its compile error.</summary>
    public static string Line(ValidityPredictor predictor, Workload workload, Board board, Configuration configuration) =>
        Line(workload, board, configuration, (json, program) =>
        {
            var heads = predictor.HeadProbabilities(program, board);
            var fail = heads[ValidityModelFormat.FailHead];
            json.WritePropertyName(ValidityModelFormat.FailHead);
            WriteProbability(json, fail);
            json.WriteStartObject("heads");
            foreach (var head in predictor.Heads)
            {
                json.WritePropertyName(head);
                WriteProbability(json, heads[head]);
            }

            json.WriteEndObject();
            json.WritePropertyName("threshold");
            WriteProbability(json, predictor.Threshold);
            json.WriteString("verdict", fail >= predictor.Threshold ? "skip" : "measure");
        });

    /// <summary>One configuration's line by a performance model: its predicted seconds, or its compile error.</summary>
    public static string SecondsLine(PerformancePredictor predictor, Workload workload, Board board, Configuration configuration) =>
        Line(workload, board, configuration, (json, program) =>
        {
            json.WritePropertyName("seconds");
            WriteProbability(json, predictor.Seconds(program, board));
        });

    /// <summary>A configuration's line: workload, index, and its compile error, or <c>compiled</c> and what <paramref name="compiled"/> writes.</summary>
    private static string Line(Workload workload, Board board, Configuration configuration, Action<Utf8JsonWriter, VtaProgram> compiled)
    {
        var build = VtaCompiler.Compile(workload, configuration, board);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("workload", workload.Name);
            json.WriteNumber("index", configuration.Index);
            if (build.Program is not { } program)
            {
                json.WriteString("status", MeasureStatus.CompileError.JsonName());
                json.WriteString("error", build.Error?.Message);
            }
            else
            {
                json.WriteString("status", "compiled");
                compiled(json, program);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// The model's input rows as CSV: the header <c>index,&lt;feature names&gt;</c>, then each configuration that compiles,
    /// its values written round-trip ("R" of the float the model reads). A configuration that does not compile has no
    /// program and so no row: they are counted on <paramref name="error"/>.
    /// </summary>
    public static void WriteRows(TextWriter output, TextWriter error, ValidityPredictor predictor, Workload workload, Board board, IEnumerable<Configuration> configurations)
    {
        output.WriteLine("index," + string.Join(',', predictor.Info.FeatureNames));
        var left = 0;
        var line = new StringBuilder();
        foreach (var configuration in configurations)
        {
            if (VtaCompiler.Compile(workload, configuration, board).Program is not { } program)
            {
                left++;
                continue;
            }

            line.Clear().Append(configuration.Index.ToString(CultureInfo.InvariantCulture));
            foreach (var value in ProgramFeatures.Of(program, board))
            {
                line.Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture));
            }

            output.WriteLine(line);
        }

        if (left > 0)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name}: {left} configuration(s) do not compile ({MeasureStatus.CompileError.JsonName()}): no row"));
        }
    }

    /// <summary>A value (a probability, seconds) written round-trip, so that two builds agree digit for digit when their values do.</summary>
    private static void WriteProbability(Utf8JsonWriter json, double p)
    {
        if (double.IsFinite(p))
        {
            json.WriteRawValue(p.ToString("R", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteStringValue(p.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static IEnumerable<Configuration> Every(ConfigSpace space)
    {
        for (var i = 0L; i < space.Size; i++)
        {
            yield return space.Get(i);
        }
    }

    private static Configuration At(ConfigSpace space, Workload workload, Board board, long index) =>
        index >= 0 && index < space.Size
            ? space.Get(index)
            : throw new PredictException(string.Create(CultureInfo.InvariantCulture,
                $"--index {index}: outside the space of {workload.Name} on {board.Name} (indices 0 to {space.Size - 1})"));

    private static Configuration FromKnobs(ConfigSpace space, string json)
    {
        try
        {
            return space.FromKnobs(json, complete: true);
        }
        catch (FormatException e)
        {
            throw new PredictException("--" + e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // A value of the wrong JSON type where the knob parser expects a number or a name.
            throw new PredictException($"--knobs: {e.Message}");
        }
    }
}
