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

    /// <summary>
    /// A board file like the uncalibrated sim.json (<see cref="UncalibratedBoardFile"/>) whose GEMM / ALU pipeline lands an accumulator write 8 micro-ops after the micro-op
    /// that makes it (<c>acc_hazard_window</c> 8), deeper than the guard of VTA's runtime (<c>VerifyDep</c>, 2). On the
    /// boards of <c>boards/</c> the window is the guard's, so no compiled program reads an accumulator still in flight
    /// within one pass over its kernel and no configuration is a wrong answer; on this one some are (C11 #3, #50, …):
    /// the tests of wrong answers use it. Written once per process under the temp directory.
    /// </summary>
    public static string DeepPipelineBoardFile { get; } = WriteDeepPipelineBoard();

    private static string WriteDeepPipelineBoard()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(UncalibratedBoardFile))!.AsObject();
        json["name"] = "sim-deep-acc";
        json["hardware"]!["acc_hazard_window"] = 8;
        var path = Path.Combine(Path.GetTempPath(), $"hiltuner-test-sim-deep-acc-{Environment.ProcessId}.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

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
