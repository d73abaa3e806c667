using System.Text.Json.Nodes;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Vta.Tests;

/// <summary>
/// The repository's board files, the default board as it was before calibration (<see cref="Uncalibrated"/>: the
/// fixed timing tests pin cycle counts on), and variants of it made for a test.
/// </summary>
internal static class TestBoards
{
    public static string RepositoryRoot => Repository.Root;

    public static string BoardsDirectory => Path.Combine(RepositoryRoot, "boards");

    public static string PathOf(string name) => Path.Combine(BoardsDirectory, name);

    public static Board Load(string name) => Board.Load(PathOf(name));

    /// <summary>The default board with the timing model's uncalibrated defaults.</summary>
    public static Board Uncalibrated { get; } = Board.Load(Repository.UncalibratedBoardFile);

    public static JsonObject DefaultJson() => JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!.AsObject();

    /// <summary>The uncalibrated default board with <paramref name="edit"/> applied to its JSON.</summary>
    public static Board With(Action<JsonObject> edit, string source = "test-board.json")
    {
        var json = DefaultJson();
        edit(json);
        return Board.Parse(json.ToJsonString(), source);
    }

    /// <summary>The uncalibrated default board with other VTA configuration numbers.</summary>
    public static Board WithVta(int? logBlock = null, int? logBatch = null, int? logInp = null, int? logWgt = null, int? logAcc = null, int? logUop = null) =>
        With(j =>
        {
            var vta = j["vta"]!.AsObject();
            if (logBlock is { } b)
            {
                vta["LOG_BLOCK"] = b;
            }

            if (logBatch is { } n)
            {
                vta["LOG_BATCH"] = n;
            }

            if (logInp is { } i)
            {
                vta["LOG_INP_BUFF_SIZE"] = i;
            }

            if (logWgt is { } w)
            {
                vta["LOG_WGT_BUFF_SIZE"] = w;
            }

            if (logAcc is { } a)
            {
                vta["LOG_ACC_BUFF_SIZE"] = a;
            }

            if (logUop is { } u)
            {
                vta["LOG_UOP_BUFF_SIZE"] = u;
                j["hardware"]!["uop_buffer_depth"] = 1 << (u - 2);
            }
        });

    public static Board WithHardware(int? dependencyDepth = null, int? commandDepth = null, string? whenFull = null, int? uopDepth = null) =>
        With(j =>
        {
            var hw = j["hardware"]!.AsObject();
            if (dependencyDepth is { } d)
            {
                hw["dependency_queue_depth"] = d;
            }

            if (commandDepth is { } c)
            {
                hw["command_queue_depth"] = c;
            }

            if (whenFull is { } f)
            {
                hw["dependency_queue_full"] = f;
            }

            if (uopDepth is { } u)
            {
                hw["uop_buffer_depth"] = u;
            }
        });
}
