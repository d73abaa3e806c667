namespace HilTuner.Tests.Shared;

/// <summary>The repository the tests run in: its root and its board files (linked into every test project).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The path of a board file under <c>boards/</c>.</summary>
    public static string BoardFile(string name) => Path.Combine(Root, "boards", name);

    /// <summary>
    /// The default board as it was before it was calibrated (tests/Shared/sim-uncalibrated.json): VTA's PYNQ
    /// configuration with the timing model's uncalibrated defaults. Tests that pin cycle counts or times use it.
    /// </summary>
    public static string UncalibratedBoardFile { get; } = Path.Combine(Root, "tests", "Shared", "sim-uncalibrated.json");

    /// <summary>The board of <see cref="UncalibratedBoardFile"/>.</summary>
    public static HilTuner.Vta.Config.Board UncalibratedBoard => s_uncalibrated.Value;

    private static readonly Lazy<HilTuner.Vta.Config.Board> s_uncalibrated = new(() => HilTuner.Vta.Config.Board.Load(UncalibratedBoardFile));

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
