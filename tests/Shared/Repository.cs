namespace HilTuner.Tests.Shared;

/// <summary>The repository the tests run in: its root and its board files (linked into every test project).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The path of a board file under <c>boards/</c>.</summary>
    public static string BoardFile(string name) => Path.Combine(Root, "boards", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HilTuner.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
