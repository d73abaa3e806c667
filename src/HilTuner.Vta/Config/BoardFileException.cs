namespace HilTuner.Vta.Config;

/// <summary>A board file that cannot be used: names the file, the key and what is wrong with it.</summary>
public sealed class BoardFileException : Exception
{
    public BoardFileException(string file, string key, string problem, Exception? inner = null)
        : base(string.IsNullOrEmpty(key) ? $"{file}: {problem}" : $"{file}: {key}: {problem}", inner)
    {
        File = file;
        Key = key;
        Problem = problem;
    }

    /// <summary>The board file (path, or <c>embedded:NAME</c> for the built-in default).</summary>
    public string File { get; }

    /// <summary>The dotted key path, e.g. <c>vta.LOG_BLOCK</c>; empty for whole-file problems.</summary>
    public string Key { get; }

    public string Problem { get; }
}
