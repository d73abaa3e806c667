using System.Text.Json.Nodes;
using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Tests;

/// <summary>The repository's board files and test variants of them.</summary>
internal static class Boards
{
    public static string Root { get; } = FindRoot();

    public static Board Load(string name) => Board.Load(Path.Combine(Root, "boards", name));

    /// <summary>The default board, but with hardware that has no accumulator pipeline hazard.</summary>
    public static Board HazardFree { get; } = With(j => j["hardware"]!["acc_hazard_window"] = 0);

    public static Board With(Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "boards", "sim.json")))!.AsObject();
        edit(json);
        return Board.Parse(json.ToJsonString(), "test-board.json");
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
