using System.CommandLine;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Cli.Commands;

/// <summary><c>--workload W …</c> or <c>--network resnet18</c>: the workloads a command works on.</summary>
internal sealed class WorkloadSelection
{
    private WorkloadSelection(string verb)
    {
        Workloads = new Option<string[]>("--workload")
        {
            Description = $"A workload to {verb} (repeatable): resnet18.C2 … C11 (or resnet-18.C2), dense.*, or a custom JSON",
            HelpName = "W",
            AllowMultipleArgumentsPerToken = false,
        };
        Network = new Option<string?>("--network") { Description = $"{char.ToUpperInvariant(verb[0])}{verb[1..]} every layer of a network: resnet18" };
    }

    public Option<string[]> Workloads { get; }
    public Option<string?> Network { get; }

    /// <summary>The two options, for a command that <paramref name="verb"/>s workloads ("tune", "measure").</summary>
    public static WorkloadSelection Create(string verb) => new(verb);

    /// <summary>Puts the two options first in <paramref name="command"/>'s help.</summary>
    public void AddTo(Command command)
    {
        command.Options.Insert(0, Network);
        command.Options.Insert(0, Workloads);
    }

    /// <summary>The selected workloads, each checked to pack on <paramref name="board"/>'s configuration.</summary>
    public IReadOnlyList<Workload> Select(ParseResult parse, Board board)
    {
        var names = parse.GetValue(Workloads) ?? [];
        var network = parse.GetValue(Network);
        if ((names.Length > 0) == (network is not null))
        {
            throw new CliException("give --workload W (one or more) or --network resnet18");
        }

        IReadOnlyList<Workload> selected;
        try
        {
            selected = network is not null ? WorkloadRegistry.Network(network) : names.Select(WorkloadRegistry.Resolve).ToList();
        }
        catch (WorkloadException e)
        {
            throw new CliException(e.Message);
        }

        // Logs, plots and summaries know a workload by its name: one given twice would be measured twice.
        if (selected.GroupBy(w => w.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new CliException($"--workload {twice.Key} is given {twice.Count()} times; give each workload once");
        }

        foreach (var w in selected)
        {
            if (w.PackingProblem(board.Vta) is { } problem)
            {
                throw new CliException($"workload {w.Name}: {problem}");
            }
        }

        return selected;
    }
}
