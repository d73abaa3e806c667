namespace HilTuner.Tuning.Log;

/// <summary>A tuning log that cannot be used: names the file, the line (0 for the file as a whole) and what is wrong.</summary>
public sealed class TuningLogException(string file, int line, string problem, Exception? inner = null)
    : Exception(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}", inner)
{
    public string File { get; } = file;
    public int Line { get; } = line;
}
