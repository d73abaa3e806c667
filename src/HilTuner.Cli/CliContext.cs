using Spectre.Console;

namespace HilTuner.Cli;

/// <summary>Where a command reads and writes: the process's standard streams, or a test's.</summary>
public sealed class CliContext(TextReader input, TextWriter output, TextWriter error)
{
    public TextReader In { get; } = input;
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>The environment's variables (the process's; a test's own).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// Without a terminal, how often a long job writes a progress line (a log file of a redirected <c>make tune</c>
    /// gets one every few seconds, not one per trial).
    /// </summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True when the output is a terminal a person watches (live displays, colours).</summary>
    public bool IsTerminal { get; } = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;

    /// <summary>Tables and progress for people; plain text, wide enough not to wrap, when the output is not a terminal.</summary>
    public IAnsiConsole Console => _console ??= CreateConsole();

    private IAnsiConsole? _console;

    private IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Interactive = IsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!IsTerminal)
        {
            console.Profile.Width = 240;
        }

        return console;
    }
}
