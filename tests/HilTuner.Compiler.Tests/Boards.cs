using System.Text.Json.Nodes;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Tests;

/// <summary>The repository's board files and test variants of them.</summary>
internal static class Boards
{
    public static Board Load(string name) => Board.Load(Repository.BoardFile(name));

    /// <summary>The default board, but with hardware that has no accumulator pipeline hazard.</summary>
    public static Board HazardFree { get; } = With(j => j["hardware"]!["acc_hazard_window"] = 0);

    public static Board With(Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!.AsObject();
        edit(json);
        return Board.Parse(json.ToJsonString(), "test-board.json");
    }
}
