using System.CommandLine;

namespace HilTuner.Cli;

/// <summary>
/// An unknown command or option on the command line, answered with the closest valid name of the command it was given
/// to (<c>did you mean `tune`?</c>). System.CommandLine's own suggestions (<c>ParseErrorAction.ShowTypoCorrections</c>)
/// come as a block of lines after every parse error and the help; HilTuner's contract is one line on stderr.
/// </summary>
internal static class Typos
{
    /// <summary>
    /// The one line for the first unknown command or option of <paramref name="parse"/>, or null when its errors are of
    /// another kind (a missing option, a bad value, an extra argument to a command without subcommands).
    /// </summary>
    public static string? Explain(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count == 0)
        {
            return null;
        }

        var command = parse.CommandResult.Command;
        var token = parse.UnmatchedTokens[0];
        var isOption = token.StartsWith('-') && token.Length > 1;
        if (!isOption && command.Subcommands.Count == 0)
        {
            return null;
        }

        var name = isOption ? token.Split('=', 2)[0] : token;
        var candidates = isOption
            ? command.Options.Concat(Ancestors(parse).SelectMany(c => c.Options.Where(o => o.Recursive))).Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        var path = string.Join(' ', Ancestors(parse).Where(c => c is not RootCommand).Reverse().Select(c => c.Name).Prepend("hiltuner"));
        var what = $"unknown {(isOption ? "option" : "command")} `{name}` for `{path}`";
        return Closest(name, candidates) is { } best
            ? $"{what}: did you mean `{best}`?"
            : $"{what} (`{path} --help` lists them)";
    }

    /// <summary>The command the tokens reached and the commands above it, innermost first.</summary>
    private static IEnumerable<Command> Ancestors(ParseResult parse)
    {
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            yield return result.Command;
        }
    }

    /// <summary>The candidate nearest to <paramref name="typed"/> when it is near enough to be meant (a third of its letters wrong at most).</summary>
    internal static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            var distance = Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(1, best.TrimStart('-').Length / 3) ? best : null;
    }

    /// <summary>Edits (insertion, deletion, substitution, transposition of neighbours) from one word to the other.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
