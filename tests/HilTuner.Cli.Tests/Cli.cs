using HilTuner.Cli;
using HilTuner.Tests.Shared;

namespace HilTuner.Cli.Tests;

/// <summary>Runs <c>hiltuner</c> in-process with its standard streams captured.</summary>
internal static class Cli
{
    public static (int Exit, string Out, string Error) Run(string stdin, params string[] args) => Run(TimeSpan.FromSeconds(5), stdin, args);

    /// <summary>As <see cref="Run(string, string[])"/>, with progress lines (the output is no terminal) every <paramref name="progressInterval"/>.</summary>
    public static (int Exit, string Out, string Error) Run(TimeSpan progressInterval, string stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var exit = Hiltuner.Run(args, new CliContext(new StringReader(stdin), output, error) { ProgressInterval = progressInterval });
        return (exit, output.ToString(), error.ToString());
    }

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string RepositoryRoot => Repository.Root;

    public static string Board(string name) => Repository.BoardFile(name);
}
