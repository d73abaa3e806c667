using HilTuner.Cli;
using HilTuner.Tests.Shared;

namespace HilTuner.Cli.Tests;

/// <summary>Runs <c>hiltuner</c> in-process with its standard streams captured.</summary>
internal static class Cli
{
    public static (int Exit, string Out, string Error) Run(string stdin, params string[] args) => Run(TimeSpan.FromSeconds(5), stdin, args);

    /// <summary>As <see cref="Run(string, string[])"/>, with progress lines (the output is no terminal) every <paramref name="progressInterval"/>.</summary>
    public static (int Exit, string Out, string Error) Run(TimeSpan progressInterval, string stdin, params string[] args) =>
        RunWith(new Dictionary<string, string>(), progressInterval, stdin, args);

    /// <summary>Runs with <paramref name="environment"/> as the only environment variables the command sees.</summary>
    public static (int Exit, string Out, string Error) RunWith(IReadOnlyDictionary<string, string> environment, string stdin, params string[] args) =>
        RunWith(environment, TimeSpan.FromSeconds(5), stdin, args);

    private static (int Exit, string Out, string Error) RunWith(IReadOnlyDictionary<string, string> environment, TimeSpan progressInterval, string stdin, string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var exit = Hiltuner.Run(args, new CliContext(new StringReader(stdin), output, error) { Environment = environment.GetValueOrDefault, ProgressInterval = progressInterval });
        return (exit, output.ToString(), error.ToString());
    }

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string RepositoryRoot => Repository.Root;

    public static string Board(string name) => Repository.BoardFile(name);
}
