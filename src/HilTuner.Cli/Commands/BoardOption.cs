using System.CommandLine;
using HilTuner.Hardware.Bridge;
using HilTuner.Vta.Config;

namespace HilTuner.Cli.Commands;

/// <summary>The <c>--board FILE</c> option every command that needs a VTA configuration takes.</summary>
internal static class BoardOption
{
    public static Option<string?> Create() => new("--board")
    {
        Description = "Board file (boards/*.json, or VTA's own vta_config.json); the embedded default is boards/sim.json (PYNQ configuration, simulator)",
        HelpName = "FILE",
    };

    /// <summary>
    /// The board the option names, its link and reset sections checked too (see <see cref="LinkSettings.Checked"/>);
    /// what a bare <c>vta_config.json</c> made it assume is one line on stderr.
    /// </summary>
    public static Board Load(ParseResult parse, Option<string?> option)
    {
        var board = LinkSettings.Checked(Board.LoadOrDefault(parse.GetValue(option)));
        if (board.Assumption is { } assumption)
        {
            parse.InvocationConfiguration.Error.WriteLine($"hiltuner: {assumption}");
        }

        return board;
    }

    /// <summary>A board file, its link and reset sections checked too (see <see cref="LinkSettings.Checked"/>).</summary>
    public static Board Load(string path) => LinkSettings.Checked(Board.Load(path));
}
