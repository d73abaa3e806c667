using System.CommandLine;
using System.Globalization;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner workloads</c>: the known workloads with their shapes, operation counts and space sizes.</summary>
internal static class WorkloadsCommand
{
    public static Command Create(CliContext context)
    {
        var board = BoardOption.Create();
        var command = new Command("workloads", "List the known workloads: shapes, operation counts and search-space sizes") { board };
        command.SetAction(parse =>
        {
            var b = BoardOption.Load(parse, board);
            var table = new Table().AddColumns("workload", "template", "shape", "GOPs", "space size");
            foreach (var w in WorkloadRegistry.All)
            {
                var size = w.PackingProblem(b.Vta) is null ? Templates.For(w, b.Vta).Size.ToString(CultureInfo.InvariantCulture) : "not packable";
                table.AddRow(w.Name, w.TemplateName, Markup.Escape(w.Shape), (w.Operations / 1e9).ToString("F3", CultureInfo.InvariantCulture), size);
            }

            context.Console.Write(table);
            return 0;
        });
        return command;
    }
}
