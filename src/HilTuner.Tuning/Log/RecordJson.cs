using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;

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
                ["seed"] = f.Seed,
                ["trial"] = f.Trial,
                ["cycles"] = f.Cycles,
            };
            if (f.ModelSeconds is { } model)
            {
                facts["model_seconds"] = model;
            }

            if (f.Attribution is not null)
            {
                facts["attribution"] = f.Attribution;
            }

            if (f.Error is not null)
            {
                facts["error"] = f.Error;
            }

            if (f.FailureProbability is { } p)
            {
                facts["p_fail"] = p;
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

        return Parse(root, root["input"] is null && root["v"] is not null ? Version01 : Version02);
    }

    /// <summary>
    /// Where a record keeps its parts. v0.2: <c>{"input": [target, task name, args, kwargs], "config": {"index",
    /// "code_hash", "entity"}, "result": [costs, error_no, all_cost, timestamp], "version", "tvm_version"}</c>;
    /// v0.1: <c>{"i": [target, task name, args, kwargs, workload, {"i", "t", "c", "e"}], "r": […], "v": 0.1}</c>.
    /// </summary>
    private sealed record Layout(string Input, int InputLength, string Config, string Index, string CodeHash, string Entity, string Result, string Version);

    private static readonly Layout Version02 = new("input", 4, "config", "index", "code_hash", "entity", "result", "version");
    private static readonly Layout Version01 = new("i", 6, "i[5]", "i", "c", "e", "r", "v");

    private static TuningRecord Parse(JsonObject root, Layout at)
    {
        var input = Array(root, at.Input, at.InputLength);
        var config = (at == Version01 ? input[5] : root[at.Config]) as JsonObject ?? throw new FormatException($"\"{at.Config}\" must be an object");
        var result = Array(root, at.Result, 4);
        var costs = result[0] as JsonArray ?? throw new FormatException($"{at.Result}[0] (costs) must be a list");
        var record = new TuningRecord
        {
            Target = Text(input[0], $"{at.Input}[0] (target)"),
            TaskName = Text(input[1], $"{at.Input}[1] (task name)"),
            Args = input[2] as JsonArray ?? throw new FormatException($"{at.Input}[2] (args) must be a list"),
            Kwargs = input[3] as JsonObject ?? [],
            Index = Number(config[at.Index], $"{at.Config}.{at.Index}", n => n.GetValue<long>()),
            CodeHash = OptionalText(config[at.CodeHash], $"{at.Config}.{at.CodeHash}"),
            Entity = config[at.Entity] as JsonArray ?? throw new FormatException($"{at.Config}.{at.Entity} must be a list"),
            Costs = costs.Select((c, i) => Number(c, $"{at.Result}[0][{i}] (cost)", n => n.GetValue<double>())).ToArray(),
            ErrorNo = Number(result[1], $"{at.Result}[1] (error_no)", n => n.GetValue<int>()),
            AllCost = Number(result[2], $"{at.Result}[2] (all_cost)", n => n.GetValue<double>()),
            Timestamp = Number(result[3], $"{at.Result}[3] (timestamp)", n => n.GetValue<double>()),
            Version = root[at.Version] is null ? TuningRecord.FormatVersion : Number(root[at.Version], at.Version, n => n.GetValue<double>()),
            TvmVersion = OptionalText(root["tvm_version"], "tvm_version") ?? string.Empty,
            Facts = root["hiltuner"] switch
            {
                null => null,
                JsonObject facts => ReadFacts(facts),
                _ => throw new FormatException("\"hiltuner\" must be an object"),
            },
        };
        Check(record, at);
        return record;
    }

    /// <summary>
    /// Refuses a record that cannot describe a trial: an error number AutoTVM does not have, a successful trial
    /// without costs or with a cost that is not a positive, finite number of seconds (it would become the best), a
    /// status HilTuner does not know, or a built-in workload named for arguments of another shape.
    /// </summary>
    private static void Check(TuningRecord r, Layout at)
    {
        if (!Enum.IsDefined((MeasureErrorNo)r.ErrorNo))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"{at.Result}[1] (error_no) is {r.ErrorNo}; AutoTVM's error numbers are 0 to {(int)Enum.GetValues<MeasureErrorNo>().Max()}"));
        }

        if (r.Succeeded)
        {
            if (r.Costs.Count == 0)
            {
                throw new FormatException($"a successful record (error_no 0) has no costs in {at.Result}[0]");
            }

            for (var i = 0; i < r.Costs.Count; i++)
            {
                if (!(r.Costs[i] > 0 && double.IsFinite(r.Costs[i])))
                {
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{at.Result}[0][{i}] (cost) is {r.Costs[i]}; a successful record's costs are positive, finite seconds"));
                }
            }
        }

        if (r.Facts is not { } facts)
        {
            return;
        }

        if (MeasureStatuses.Parse(facts.Status) is null)
        {
            throw new FormatException($"hiltuner.status \"{facts.Status}\" is not a status (known: {string.Join(", ", Enum.GetValues<MeasureStatus>().Select(s => s.JsonName()))})");
        }

        if (WorkloadRegistry.All.FirstOrDefault(w => w.Name == facts.Workload) is { } named)
        {
            var described = AutoTvmTask.WorkloadOf(r.TaskName, r.Args);
            if (described is null || named with { Name = described.Name } != described)
            {
                throw new FormatException($"hiltuner.workload is {facts.Workload}, but the record's task ({r.TaskName}) and args {r.Args.ToJsonString()} are not that workload's");
            }
        }
    }

    private static HilTunerFacts ReadFacts(JsonObject f) => new()
    {
        Status = OptionalText(f["status"], "hiltuner.status") ?? throw new FormatException("hiltuner.status is missing"),
        Workload = OptionalText(f["workload"], "hiltuner.workload") ?? throw new FormatException("hiltuner.workload is missing"),
        TargetKind = OptionalText(f["target"], "hiltuner.target") ?? string.Empty,
        Board = OptionalText(f["board"], "hiltuner.board") ?? string.Empty,
        VtaConfig = OptionalText(f["vta_config"], "hiltuner.vta_config") ?? string.Empty,
        Tuner = OptionalText(f["tuner"], "hiltuner.tuner") ?? string.Empty,
        Seed = f["seed"] is null ? null : Number(f["seed"], "hiltuner.seed", n => n.GetValue<int>()),
        Trial = f["trial"] is null ? 0 : Number(f["trial"], "hiltuner.trial", n => n.GetValue<int>()),
        Cycles = f["cycles"] is null ? 0 : Number(f["cycles"], "hiltuner.cycles", n => n.GetValue<long>()),
        ModelSeconds = f["model_seconds"] is null ? null : Number(f["model_seconds"], "hiltuner.model_seconds", n => n.GetValue<double>()),
        Attribution = OptionalText(f["attribution"], "hiltuner.attribution") is { } attribution
            ? FailureAttributionNames.Parse(attribution) is null
                ? throw new FormatException($"hiltuner.attribution must be predicted or reproduced, not \"{attribution}\"")
                : attribution
            : null,
        Error = OptionalText(f["error"], "hiltuner.error"),
        FailureProbability = f["p_fail"] is null ? null : Number(f["p_fail"], "hiltuner.p_fail", n => n.GetValue<double>()),
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
