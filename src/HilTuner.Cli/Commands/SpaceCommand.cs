using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
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
            Description = "Compile every configuration; print one JSON line {index, entity, status, error} each, then a summary of counts per status",
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
                var status = result.Succeeded ? MeasureStatus.Ok.JsonName() : MeasureStatus.CompileError.JsonName();
                var key = result.Error is { } e ? $"{status}:{e.Kind}" : status;
                counts[key] = counts.GetValueOrDefault(key) + 1;
                context.Out.WriteLine(HumanJson.Write(new JsonObject
                {
                    ["index"] = index,
                    ["entity"] = config.Entity(),
                    ["status"] = status,
                    ["error"] = result.Error?.Message,
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
