using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Vta.Runtime;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner space</c>: a workload's search space, and with <c>--enumerate</c> every configuration compiled.</summary>
internal static class SpaceCommand
{
    public static Command Create(CliContext context)
    {
        var board = BoardOption.Create();
        var workload = WorkloadOption.Create();
        var enumerate = new Option<bool>("--enumerate")
        {
            Description = "Compile every configuration and put it through VTA's runtime checks (on the host, no run); print one JSON line {index, entity, status, error} each, then a summary of counts per status and kind",
        };
        var command = new Command("space", "Show a workload's search space (knobs, choices, size)") { workload, board, enumerate };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var w = WorkloadOption.Resolve(parse, workload);
            var space = Templates.For(w, b.Vta);
            if (!parse.GetValue(enumerate))
            {
                context.Out.WriteLine($"{w.Name}: {w.TemplateName} on {b.Vta.TargetModel}, {space.Size.ToString(CultureInfo.InvariantCulture)} configurations");
                var table = new Table().AddColumns("knob", "type", "choices");
                foreach (var knob in space.Knobs)
                {
                    var choices = knob is SplitKnob split ? string.Join(", ", split.Factors.Select(f => $"[-1, {f}]")) : string.Join(", ", ((OtherKnob)knob).Values);
                    table.AddRow(knob.Name, knob.Tag, Markup.Escape(choices));
                }

                context.Console.Write(table);
                return 0;
            }

            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (var index = 0L; index < space.Size; index++)
            {
                var config = space.Get(index);
                var result = VtaCompiler.Compile(w, config, b);
                var refused = result.Program is { } program ? RuntimeChecks.FirstFailure(program.Image, b.Hardware.MaxTransferBytes) : null;
                var (status, kind, message) = (result.Error, refused) switch
                {
                    ({ } e, _) => (MeasureStatus.CompileError, e.Kind.ToString(), e.Message),
                    (_, { } r) => (MeasureStatus.RuntimeError, r.Kind.ToString(), $"runtime check: {r}"),
                    _ => (MeasureStatus.Ok, null, null),
                };
                var key = kind is null ? status.JsonName() : $"{status.JsonName()}:{kind}";
                counts[key] = counts.GetValueOrDefault(key) + 1;
                context.Out.WriteLine(HumanJson.Write(new JsonObject
                {
                    ["index"] = index,
                    ["entity"] = config.Entity(),
                    ["status"] = status.JsonName(),
                    ["error"] = message,
                }));
            }

            var summary = new JsonObject { ["configurations"] = space.Size };
            foreach (var (key, count) in counts)
            {
                summary[key] = count;
            }

            context.Out.WriteLine(HumanJson.Write(new JsonObject { ["summary"] = summary }));
            return 0;
        });
        return command;
    }
}
