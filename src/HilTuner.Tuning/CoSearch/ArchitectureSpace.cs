using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Compiler.Workloads;
using HilTuner.IO;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.CoSearch;

/// <summary>A space file, accuracy table or command that cannot be read or used: the message names it and the problem.</summary>
public sealed class CoSearchException(string message) : Exception(message)
{
    /// <summary>The text of an input file (through <see cref="InputFile"/>), or an error naming it as <paramref name="what"/>.</summary>
    internal static string ReadInput(string path, long limit, string what)
    {
        try
        {
            return InputFile.ReadAllText(path, limit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoSearchException($"{path}: {what} cannot be read: {e.Message}");
        }
    }
}

/// <summary>One stage's choices: depths (basic blocks), widths (output channels), kernel sizes and strides.</summary>
public sealed record StageChoices(IReadOnlyList<int> Depths, IReadOnlyList<int> Widths, IReadOnlyList<int> Kernels, IReadOnlyList<int> Strides);

/// <summary>One stage of a candidate: its depth, width, kernel size and stride.</summary>
public sealed record StageChoice(int Depth, int Width, int Kernel, int Stride);

/// <summary>A candidate network of the family: one choice per stage.</summary>
public sealed record Architecture(IReadOnlyList<StageChoice> Stages)
{
    /// <summary>The encoding accuracy tables are keyed on: <c>d2w64k3s1_d2w128k3s2_…</c>, one group per stage.</summary>
    public string Encoding => string.Join('_', Stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"d{s.Depth}w{s.Width}k{s.Kernel}s{s.Stride}")));

    /// <summary>The JSON an accuracy command receives and front.json holds.</summary>
    public JsonObject ToJson(string space) => new()
    {
        ["space"] = space,
        ["encoding"] = Encoding,
        ["stages"] = new JsonArray([.. Stages.Select(s => (JsonNode)new JsonObject { ["depth"] = s.Depth, ["width"] = s.Width, ["kernel"] = s.Kernel, ["stride"] = s.Stride })]),
    };

    public bool Equals(Architecture? other) => other is not null && Encoding == other.Encoding;

    public override int GetHashCode() => Encoding.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// A ResNet-style family (<c>--space</c>): the input after the stem, stages of basic blocks with depth, width, kernel
/// and stride choices, and a dense head. A candidate expands to the VTA-packable layers a VTA deployment offloads:
/// each basic block's two k×k convolutions (the first with the stage's stride), a 1×1 projection where the first
/// block changes the shape, and the head's dense layer. The stem (3 input channels), pooling, residual additions and
/// activations stay on the CPU, as in VTA's ResNet-18 deployment, and are not part of the latency.
/// </summary>
public sealed class ArchitectureSpace
{
    public required string Name { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required int Channels { get; init; }
    public required IReadOnlyList<StageChoices> Stages { get; init; }

    /// <summary>Output features of the dense head (0: no head).</summary>
    public int Classes { get; init; }

    /// <summary>Candidates in the space (the product of every stage's choices).</summary>
    public double Size => Stages.Aggregate(1.0, (n, s) => n * s.Depths.Count * s.Widths.Count * s.Kernels.Count * s.Strides.Count);

    public static ArchitectureSpace Load(string path) => Parse(CoSearchException.ReadInput(path, InputFile.MiB, "the space file"), path);

    /// <summary>Parses a space; every error names <paramref name="source"/>, the key and the problem.</summary>
    public static ArchitectureSpace Parse(string json, string source)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new CoSearchException($"{source}: not valid JSON: {e.Message}");
        }

        if (root is not JsonObject o)
        {
            throw new CoSearchException($"{source}: a space must be a JSON object");
        }

        Reject(o, source, "the space", "name", "input", "stages", "head", "description");
        var input = o["input"] as JsonObject ?? throw new CoSearchException($"{source}: \"input\" must be an object {{\"height\", \"width\", \"channels\"}}");
        Reject(input, source, "\"input\"", "height", "width", "channels");
        var stages = o["stages"] as JsonArray ?? throw new CoSearchException($"{source}: \"stages\" must be an array of stages");
        if (stages.Count is 0 or > 16)
        {
            throw new CoSearchException($"{source}: \"stages\" must hold 1 to 16 stages, not {stages.Count}");
        }

        var list = new List<StageChoices>();
        for (var i = 0; i < stages.Count; i++)
        {
            var where = $"stages[{i}]";
            var stage = stages[i] as JsonObject ?? throw new CoSearchException($"{source}: {where} must be an object");
            Reject(stage, source, where, "depth", "width", "kernel", "stride");
            list.Add(new StageChoices(
                Ints(stage, "depth", source, where, 1, 16), Ints(stage, "width", source, where, 1, Workload.MaxDimension),
                Ints(stage, "kernel", source, where, 1, 11), Ints(stage, "stride", source, where, 1, 4)));
        }

        var classes = 0;
        if (o["head"] is { } head)
        {
            if (head is not JsonObject h)
            {
                throw new CoSearchException($"{source}: \"head\" must be an object {{\"classes\"}}");
            }

            Reject(h, source, "\"head\"", "classes");
            classes = Int(h, "classes", source, "\"head\"", 1, Workload.MaxDimension);
        }

        var name = o["name"] is JsonValue n && n.TryGetValue<string>(out var s) && s.Length is > 0 and <= 32 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? s
            : throw new CoSearchException($"{source}: \"name\" must be 1 to 32 letters, digits, '-' or '_' (it prefixes the layers' workload names)");
        return new ArchitectureSpace
        {
            Name = name,
            Height = Int(input, "height", source, "\"input\"", 1, Workload.MaxDimension),
            Width = Int(input, "width", source, "\"input\"", 1, Workload.MaxDimension),
            Channels = Int(input, "channels", source, "\"input\"", 1, Workload.MaxDimension),
            Stages = list,
            Classes = classes,
        };
    }

    private static void Reject(JsonObject o, string source, string where, params string[] known)
    {
        foreach (var key in o.Select(p => p.Key).Where(k => !known.Contains(k)))
        {
            throw new CoSearchException($"{source}: unknown key \"{key}\" in {where} (expected: {string.Join(", ", known)})");
        }
    }

    private static int Int(JsonObject o, string key, string source, string where, int min, int max) =>
        o[key] is JsonValue v && v.TryGetValue<int>(out var n) && n >= min && n <= max
            ? n
            : throw new CoSearchException($"{source}: {where} \"{key}\" must be a whole number from {min} to {max}, found {o[key]?.ToJsonString() ?? "nothing"}");

    private static List<int> Ints(JsonObject o, string key, string source, string where, int min, int max)
    {
        var array = o[key] as JsonArray;
        var values = array?.Select(v => v is JsonValue j && j.TryGetValue<int>(out var n) && n >= min && n <= max ? n : (int?)null).ToList();
        if (values is null || values.Count == 0 || values.Any(v => v is null))
        {
            throw new CoSearchException($"{source}: {where} \"{key}\" must be a non-empty array of whole numbers from {min} to {max}, found {o[key]?.ToJsonString() ?? "nothing"}");
        }

        var distinct = values.Select(v => v!.Value).Distinct().ToList();
        return distinct.Count == values.Count ? distinct : throw new CoSearchException($"{source}: {where} \"{key}\" lists a choice twice");
    }

    /// <summary>A candidate drawn uniformly, one choice per stage.</summary>
    public Architecture Sample(Random random) => new([.. Stages.Select(s => new StageChoice(
        s.Depths[random.Next(s.Depths.Count)], s.Widths[random.Next(s.Widths.Count)], s.Kernels[random.Next(s.Kernels.Count)], s.Strides[random.Next(s.Strides.Count)]))]);

    /// <summary>Every stage's choice redrawn with probability <paramref name="rate"/>, one gene at a time.</summary>
    public Architecture Mutate(Architecture a, Random random, double rate) => new([.. a.Stages.Select((c, i) =>
    {
        var s = Stages[i];
        return new StageChoice(
            random.NextDouble() < rate ? s.Depths[random.Next(s.Depths.Count)] : c.Depth,
            random.NextDouble() < rate ? s.Widths[random.Next(s.Widths.Count)] : c.Width,
            random.NextDouble() < rate ? s.Kernels[random.Next(s.Kernels.Count)] : c.Kernel,
            random.NextDouble() < rate ? s.Strides[random.Next(s.Strides.Count)] : c.Stride);
    })]);

    /// <summary>Uniform crossover, stage by stage.</summary>
    public static Architecture Crossover(Architecture a, Architecture b, Random random) =>
        new([.. a.Stages.Zip(b.Stages, (x, y) => random.Next(2) == 0 ? x : y)]);

    /// <summary>Why <paramref name="a"/> has no VTA-packable layers on <paramref name="config"/> (a width not a multiple of BLOCK, …), or null.</summary>
    public string? Problem(Architecture a, VtaConfig config) =>
        Channels % config.BlockIn != 0 ? $"the input's {Channels} channels are not a multiple of BLOCK {config.BlockIn}"
        : a.Stages.FirstOrDefault(s => s.Width % config.BlockOut != 0) is { } bad ? $"width {bad.Width} is not a multiple of BLOCK {config.BlockOut}"
        : Classes > 0 && Classes % config.BlockOut != 0 ? $"the head's {Classes} classes are not a multiple of BLOCK {config.BlockOut}"
        : LayerProblem(a, config);

    private string? LayerProblem(Architecture a, VtaConfig config)
    {
        try
        {
            return Layers(a, config).Select(l => l.PackingProblem(config)).FirstOrDefault(p => p is not null);
        }
        catch (WorkloadException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The layers VTA runs for one inference of <paramref name="a"/>, in order (a shape repeated in several blocks is
    /// listed each time): batch BATCH, padding k/2; named by shape (<c>SPACE.c56x56_64-64_k3s1</c>, <c>SPACE.fc512-1008</c>),
    /// so equal shapes are one block of the schedule library.
    /// </summary>
    public IReadOnlyList<Workload> Layers(Architecture a, VtaConfig config)
    {
        var layers = new List<Workload>();
        var (h, w, c) = (Height, Width, Channels);
        Conv2dWorkload Conv(int height, int width, int cin, int cout, int k, int stride) => new Conv2dWorkload(
            string.Create(CultureInfo.InvariantCulture, $"{Name}.c{height}x{width}_{cin}-{cout}_k{k}s{stride}"),
            config.Batch, height, width, cin, cout, k, k, k / 2, k / 2, stride, stride).Validated();

        foreach (var s in a.Stages)
        {
            for (var b = 0; b < s.Depth; b++)
            {
                var stride = b == 0 ? s.Stride : 1;
                var first = Conv(h, w, c, s.Width, s.Kernel, stride);
                layers.Add(first);
                layers.Add(Conv(first.OutHeight, first.OutWidth, s.Width, s.Width, s.Kernel, 1));
                if (stride != 1 || c != s.Width)
                {
                    layers.Add(Conv(h, w, c, s.Width, 1, stride));
                }

                (h, w, c) = (first.OutHeight, first.OutWidth, s.Width);
            }
        }

        if (Classes > 0)
        {
            layers.Add(new DenseWorkload(string.Create(CultureInfo.InvariantCulture, $"{Name}.fc{c}-{Classes}"), config.Batch, c, Classes));
        }

        return layers;
    }
}
