using System.CommandLine;
using HilTuner.Hardware.Bridge;
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

    public static Board Load(ParseResult parse, Option<string?> option) => LinkSettings.Checked(Board.LoadOrDefault(parse.GetValue(option)));

    /// <summary>A board file, its link and reset sections checked too (see <see cref="LinkSettings.Checked"/>).</summary>
    public static Board Load(string path) => LinkSettings.Checked(Board.Load(path));
}
