using System.CommandLine;
using HilTuner.Hardware.Replay;
using HilTuner.Vta.Config;

namespace HilTuner.Cli.Commands;

/// <summary>
/// The <c>--truth-board FILE…</c> and <c>--noise-cv</c> options of the benchmarks: boards of the nominal board's VTA
/// configuration whose simulators answer every measurement while the tuners know only the nominal board.
/// </summary>
internal static class TruthBoardOption
{
    public static Option<string[]> Create() => new("--truth-board")
    {
        Description = "Boards that answer every measurement (their simulator, with noise) while tuners compile, estimate and gate with --board; same VTA configuration as --board (boards/truth/*.json). Default: the nominal board itself",
        HelpName = "FILE",
        AllowMultipleArgumentsPerToken = true,
    };

    public static Option<double> NoiseCv() => new("--noise-cv")
    {
        Description = "Coefficient of variation of the truth boards' multiplicative measurement noise (log-normal, mean 1, reproducible from the seed)",
        DefaultValueFactory = _ => 0.02,
    };

    /// <summary>The noise option's value, refused unless it is a coefficient of variation the noise can have (0 to 1).</summary>
    public static double LoadNoiseCv(ParseResult parse, Option<double> option)
    {
        var cv = parse.GetValue(option);
        return double.IsFinite(cv) && cv is >= 0 and <= 1 ? cv : throw new CliException($"--noise-cv must be between 0 and 1, not {cv}");
    }

    /// <summary>The truth boards the option names, each checked against <paramref name="nominal"/>; the nominal board when none is named.</summary>
    public static IReadOnlyList<Board> Load(ParseResult parse, Option<string[]> option, Board nominal)
    {
        var paths = parse.GetValue(option) ?? [];
        if (paths.Length == 0)
        {
            return [nominal];
        }

        var boards = new List<Board>();
        foreach (var path in paths)
        {
            if (path.StartsWith('-'))
            {
                // An option this command does not have, taken as one more of the option's files.
                throw new CliException($"--truth-board: '{path}' is not a board file but an option this command does not have (see --help)");
            }

            var truth = BoardOption.Load(path);
            try
            {
                TruthBoardTarget.RequireSameConfiguration(nominal, truth);
            }
            catch (GroundTruthException e)
            {
                throw new CliException($"--truth-board {e.Message}");
            }

            boards.Add(truth);
        }

        if (boards.GroupBy(b => b.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new CliException($"--truth-board names two boards called {twice.Key}; each truth board is reported by its name");
        }

        return boards;
    }

    /// <summary>The first line of a benchmark's output: what answers the measurements.</summary>
    public static string Headline(Board nominal, IReadOnlyList<Board> truths, double? noiseCv) =>
        truths.Count == 1 && ReferenceEquals(truths[0], nominal)
            ? $"truth: the nominal board {nominal.Name} itself (no --truth-board): the tuners measure on the board whose timing they estimate with"
            : $"truth: {truths.Count} truth board(s) ({string.Join(", ", truths.Select(t => t.Name))}), {(noiseCv is { } cv ? $"their simulators with noise CV {cv:0.###}" : "measured on their simulators")}; the tuners know only the nominal board {nominal.Name}";
}
