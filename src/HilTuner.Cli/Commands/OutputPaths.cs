namespace HilTuner.Cli.Commands;

/// <summary>Checks, before any work starts, that what a command writes is none of what it reads.</summary>
internal static class OutputPaths
{
    /// <summary>
    /// Refuses an output (<paramref name="option"/> <paramref name="output"/>) that names the same file as one of the
    /// command's inputs — through another spelling or a symbolic link too: writing it would destroy what was read
    /// (a tuning log turned into a PNG, a log overwritten by a model).
    /// </summary>
    public static void RequireNotAnInput(string option, string? output, params IEnumerable<(string Option, string? Path)> inputs)
    {
        if (output is null)
        {
            return;
        }

        foreach (var (inputOption, input) in inputs)
        {
            if (input is not null && SameFile(output, input))
            {
                throw new CliException($"{option} {output} is also the {inputOption} it reads; writing it would destroy that input: choose another {option}");
            }
        }
    }

    /// <summary>Refuses to replace an existing file unless told to (<paramref name="force"/>).</summary>
    public static void RequireNew(string option, string? output, bool force)
    {
        if (output is null)
        {
            return;
        }

        if (Directory.Exists(output))
        {
            throw new CliException($"{option} {output} is a directory; it needs a file");
        }

        if (File.Exists(output) && !force)
        {
            throw new CliException($"{option} {output} already exists: choose another file, or pass --force to replace it");
        }
    }

    private static bool SameFile(string a, string b) => string.Equals(Resolved(a), Resolved(b), StringComparison.Ordinal);

    private static string Resolved(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.Exists(full) && File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target ? Path.GetFullPath(target.FullName) : full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
