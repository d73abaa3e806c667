using System.CommandLine;
using HilTuner.Vta.Config;

namespace HilTuner.Cli.Commands;

/// <summary>The <c>--board FILE</c> option every command that needs a VTA configuration takes.</summary>
internal static class BoardOption
{
    public static Option<string?> Create() => new("--board")
    {
        Description = "Board file (boards/*.json); the embedded default is boards/sim.json (PYNQ configuration, simulator)",
        HelpName = "FILE",
    };

    public static Board Load(ParseResult parse, Option<string?> option) => Board.LoadOrDefault(parse.GetValue(option));
}
