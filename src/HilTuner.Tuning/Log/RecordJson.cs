using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HilTuner.Tuning.Log;

/// <summary>
/// Converts <see cref="TuningRecord"/>s to and from one line of AutoTVM JSON: v0.2 records are written (as
/// Python writes them) and read; the older v0.1 records (<c>{"i", "r", "v"}</c>) are read too — AutoTVM's own
/// reader skips them with a warning, which would drop measurements without a trace.
/// </summary>
internal static class RecordJson
{
    public static string Write(TuningRecord r)
    {
        var line = new JsonObject
        {
            ["input"] = new JsonArray(r.Target, r.TaskName, r.Args.DeepClone(), r.Kwargs.DeepClone()),
            ["config"] = new JsonObject { ["index"] = r.Index, ["code_hash"] = r.CodeHash, ["entity"] = r.Entity.DeepClone() },
            ["result"] = new JsonArray(
                new JsonArray(r.Costs.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()), r.ErrorNo, r.AllCost, r.Timestamp),
            ["version"] = TuningRecord.FormatVersion,
            ["tvm_version"] = r.TvmVersion,
        };
        if (r.Facts is { } f)
        {
            var facts = new JsonObject
            {
                ["status"] = f.Status,
                ["workload"] = f.Workload,
                ["target"] = f.TargetKind,
                ["board"] = f.Board,
                ["vta_config"] = f.VtaConfig,
                ["tuner"] = f.Tuner,
                ["trial"] = f.Trial,
                ["cycles"] = f.Cycles,
            };
            if (f.Error is not null)
            {
                facts["error"] = f.Error;
            }

            if (f.Features is not null)
            {
                var features = new JsonObject();
                foreach (var (name, value) in f.Features)
                {
                    features[name] = value;
                }

                facts["features"] = features;
            }

            line["hiltuner"] = facts;
        }

        return PythonJson.Write(line);
    }

    /// <summary>Parses one record; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static TuningRecord Read(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON ({e.Message})", e);
        }

        if (node is not JsonObject root)
        {
            throw new FormatException("a record must be a JSON object");
        }

        if (root["input"] is null && root["v"] is not null)
        {
            return ReadVersion01(root);
        }

        var input = Array(root, "input", 4);
        var config = root["config"] as JsonObject ?? throw new FormatException("\"config\" must be an object");
        var result = Array(root, "result", 4);
        return new TuningRecord
        {
            Target = Text(input[0], "input[0] (target)"),
            TaskName = Text(input[1], "input[1] (task name)"),
            Args = input[2] as JsonArray ?? throw new FormatException("input[2] (args) must be a list"),
            Kwargs = input[3] as JsonObject ?? [],
            Index = Number(config["index"], "config.index", n => n.GetValue<long>()),
            CodeHash = OptionalText(config["code_hash"], "config.code_hash"),
            Entity = config["entity"] as JsonArray ?? throw new FormatException("config.entity must be a list"),
            Costs = Costs(result, "result"),
            ErrorNo = Number(result[1], "result[1] (error_no)", n => n.GetValue<int>()),
            AllCost = Number(result[2], "result[2] (all_cost)", n => n.GetValue<double>()),
            Timestamp = Number(result[3], "result[3] (timestamp)", n => n.GetValue<double>()),
            Version = root["version"] is null ? TuningRecord.FormatVersion : Number(root["version"], "version", n => n.GetValue<double>()),
            TvmVersion = OptionalText(root["tvm_version"], "tvm_version") ?? string.Empty,
            Facts = root["hiltuner"] switch
            {
                null => null,
                JsonObject facts => ReadFacts(facts),
                _ => throw new FormatException("\"hiltuner\" must be an object"),
            },
        };
    }

    /// <summary>
    /// AutoTVM's v0.1 record: <c>{"i": [target, task name, args, kwargs, workload, {"i": index, "t": template,
    /// "c": code hash, "e": entity}], "r": [costs, error_no, all_cost, timestamp], "v": 0.1}</c>.
    /// </summary>
    private static TuningRecord ReadVersion01(JsonObject root)
    {
        var input = Array(root, "i", 6);
        var config = input[5] as JsonObject ?? throw new FormatException("i[5] (config) must be an object");
        var result = Array(root, "r", 4);
        return new TuningRecord
        {
            Target = Text(input[0], "i[0] (target)"),
            TaskName = Text(input[1], "i[1] (task name)"),
            Args = input[2] as JsonArray ?? throw new FormatException("i[2] (args) must be a list"),
            Kwargs = input[3] as JsonObject ?? [],
            Index = Number(config["i"], "i[5].i (index)", n => n.GetValue<long>()),
            CodeHash = OptionalText(config["c"], "i[5].c (code hash)"),
            Entity = config["e"] as JsonArray ?? throw new FormatException("i[5].e (entity) must be a list"),
            Costs = Costs(result, "r"),
            ErrorNo = Number(result[1], "r[1] (error_no)", n => n.GetValue<int>()),
            AllCost = Number(result[2], "r[2] (all_cost)", n => n.GetValue<double>()),
            Timestamp = Number(result[3], "r[3] (timestamp)", n => n.GetValue<double>()),
            Version = Number(root["v"], "v", n => n.GetValue<double>()),
            TvmVersion = string.Empty,
        };
    }

    private static double[] Costs(JsonArray result, string key)
    {
        var costs = result[0] as JsonArray ?? throw new FormatException($"{key}[0] (costs) must be a list");
        return costs.Select((c, i) => Number(c, $"{key}[0][{i}] (cost)", n => n.GetValue<double>())).ToArray();
    }

    private static HilTunerFacts ReadFacts(JsonObject f) => new()
    {
        Status = OptionalText(f["status"], "hiltuner.status") ?? throw new FormatException("hiltuner.status is missing"),
        Workload = OptionalText(f["workload"], "hiltuner.workload") ?? throw new FormatException("hiltuner.workload is missing"),
        TargetKind = OptionalText(f["target"], "hiltuner.target") ?? string.Empty,
        Board = OptionalText(f["board"], "hiltuner.board") ?? string.Empty,
        VtaConfig = OptionalText(f["vta_config"], "hiltuner.vta_config") ?? string.Empty,
        Tuner = OptionalText(f["tuner"], "hiltuner.tuner") ?? string.Empty,
        Trial = f["trial"] is null ? 0 : Number(f["trial"], "hiltuner.trial", n => n.GetValue<int>()),
        Cycles = f["cycles"] is null ? 0 : Number(f["cycles"], "hiltuner.cycles", n => n.GetValue<long>()),
        Error = OptionalText(f["error"], "hiltuner.error"),
        Features = f["features"] switch
        {
            null => null,
            JsonObject features => features.ToDictionary(p => p.Key, p => Number(p.Value, $"hiltuner.features.{p.Key}", n => n.GetValue<double>())),
            _ => throw new FormatException("hiltuner.features must be an object"),
        },
    };

    private static string? OptionalText(JsonNode? node, string what) =>
        node is null ? null : Text(node, what);

    private static JsonArray Array(JsonObject root, string key, int length) =>
        root[key] is JsonArray a && a.Count >= length ? a : throw new FormatException($"\"{key}\" must be a list of {length}");

    private static string Text(JsonNode? node, string what) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"{what} must be a string");

    private static T Number<T>(JsonNode? node, string what, Func<JsonValue, T> read)
    {
        if (node is not JsonValue v)
        {
            throw new FormatException($"{what} must be a number");
        }

        try
        {
            return read(v);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{what} must be a number, found {v.ToJsonString()}"), e);
        }
    }
}
