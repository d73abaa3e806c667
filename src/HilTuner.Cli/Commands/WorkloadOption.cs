using System.CommandLine;
using HilTuner.Compiler.Workloads;

namespace HilTuner.Cli.Commands;

/// <summary>The <c>--workload W</c> option: a known name, or a custom workload as a JSON file or JSON text.</summary>
internal static class WorkloadOption
{
    public static Option<string> Create() => new("--workload")
    {
        Description = "A workload: resnet18.C2 … resnet18.C11 (or C2, or VTA's resnet-18.C2), dense.512, …, or a custom conv2d / dense layer as a JSON file or JSON text",
        HelpName = "W",
        Required = true,
    };

    public static Workload Resolve(ParseResult parse, Option<string> option)
    {
        try
        {
            return WorkloadRegistry.Resolve(parse.GetValue(option)!);
        }
        catch (WorkloadException e)
        {
            throw new CliException(e.Message);
        }
    }
}
