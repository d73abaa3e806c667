using Spectre.Console;

namespace HilTuner.Cli;

/// <summary>Where a command reads and writes: the process's standard streams, or a test's.</summary>
public sealed class CliContext(TextReader input, TextWriter output, TextWriter error)
{
    public TextReader In { get; } = input;
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>Tables and progress for people; plain text when the output is not a terminal.</summary>
    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Interactive = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected ? InteractionSupport.Yes : InteractionSupport.No,
        Ansi = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = ColorSystemSupport.Detect,
    });
}
