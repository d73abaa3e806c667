using HilTuner.IO;
using System.Text.Json;

namespace HilTuner.Compiler.Workloads;

/// <summary>
/// The workloads HilTuner knows by name — ResNet-18's ten packed conv2d layers (VTA's benchmark list, C1
/// excluded because 3 input channels cannot be packed) and a few dense layers — and custom ones read from a
/// small JSON description.
/// </summary>
public static class WorkloadRegistry
{
    /// <summary>ResNet-18's conv2d layers as VTA's <c>test_benchmark_topi_conv2d.py</c> lists them.</summary>
    public static IReadOnlyList<Conv2dWorkload> ResNet18 { get; } =
    [
        new("resnet18.C2", 1, 56, 56, 64, 64, 3, 3, 1, 1, 1, 1),
        new("resnet18.C3", 1, 56, 56, 64, 128, 3, 3, 1, 1, 2, 2),
        new("resnet18.C4", 1, 56, 56, 64, 128, 1, 1, 0, 0, 2, 2),
        new("resnet18.C5", 1, 28, 28, 128, 128, 3, 3, 1, 1, 1, 1),
        new("resnet18.C6", 1, 28, 28, 128, 256, 3, 3, 1, 1, 2, 2),
        new("resnet18.C7", 1, 28, 28, 128, 256, 1, 1, 0, 0, 2, 2),
        new("resnet18.C8", 1, 14, 14, 256, 256, 3, 3, 1, 1, 1, 1),
        new("resnet18.C9", 1, 14, 14, 256, 512, 3, 3, 1, 1, 2, 2),
        new("resnet18.C10", 1, 14, 14, 256, 512, 1, 1, 0, 0, 2, 2),
        new("resnet18.C11", 1, 7, 7, 512, 512, 3, 3, 1, 1, 1, 1),
    ];

    /// <summary>Dense (GEMM) workloads: fully connected layers of the sizes VTA's dense benchmark uses.</summary>
    public static IReadOnlyList<DenseWorkload> Dense { get; } =
    [
        new("dense.512", 1, 512, 512),
        new("dense.1024", 1, 1024, 1024),
        new("dense.b16x512", 16, 512, 512),
    ];

    public static IEnumerable<Workload> All => ResNet18.Cast<Workload>().Concat(Dense);

    /// <summary>The workloads of a network (<c>resnet18</c>; <c>resnet-18</c>, as VTA's benchmarks write it, too).</summary>
    public static IReadOnlyList<Workload> Network(string name) => name switch
    {
        "resnet18" or "resnet-18" => ResNet18,
        _ => throw new WorkloadException($"unknown network \"{name}\" (known: resnet18)"),
    };

    /// <summary>How VTA's benchmarks (<c>test_benchmark_topi_conv2d.py</c>) prefix ResNet-18's layers.</summary>
    private const string VtaResNet18Prefix = "resnet-18.";

    private static bool IsVtaBenchmarkName(string name) => name.StartsWith(VtaResNet18Prefix, StringComparison.Ordinal);

    /// <summary>
    /// The built-in workload a name means, or null: its own name (<c>resnet18.C11</c>), the layer alone (<c>C11</c>),
    /// or the name VTA's benchmarks use (<c>resnet-18.C11</c>).
    /// </summary>
    public static Workload? Find(string name)
    {
        var canonical = IsVtaBenchmarkName(name) ? "resnet18." + name[VtaResNet18Prefix.Length..] : name;
        return All.FirstOrDefault(w => w.Name == canonical || w.Name == "resnet18." + canonical);
    }

    /// <summary>
    /// A workload by name (<c>resnet18.C11</c>; <c>C11</c> and VTA's <c>resnet-18.C11</c> are accepted too, see
    /// <see cref="Find"/>), or a custom one from a JSON file or from JSON text such as
    /// <c>{"op": "conv2d", "height": 14, …}</c>.
    /// </summary>
    public static Workload Resolve(string spec)
    {
        var known = Find(spec);
        if (known is not null)
        {
            return known;
        }

        if (spec.TrimStart().StartsWith('{'))
        {
            return Parse(spec, "the --workload JSON");
        }

        if (File.Exists(spec))
        {
            string text;
            try
            {
                text = InputFile.ReadAllText(spec, InputFile.MiB);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new WorkloadException($"{spec}: the workload file cannot be read: {e.Message}");
            }

            return Parse(text, spec);
        }

        throw new WorkloadException(
            $"unknown workload \"{spec}\" (known: {string.Join(", ", All.Select(w => w.Name))}; or a JSON file / JSON text describing a conv2d or dense layer)");
    }

    /// <summary>
    /// Parses a custom workload: <c>{"name", "op": "conv2d", "batch", "height", "width", "in_filter", "out_filter",
    /// "hkernel", "wkernel", "hpad", "wpad", "hstride", "wstride"}</c> or <c>{"name", "op": "dense", "batch",
    /// "in_features", "out_features"}</c>. Errors name <paramref name="source"/>, the key and the problem.
    /// </summary>
    public static Workload Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new WorkloadException($"{source}: not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new WorkloadException($"{source}: a workload must be a JSON object");
            }

            var allowed = new HashSet<string>(StringComparer.Ordinal) { "name", "op" };
            string Text(string key)
            {
                allowed.Add(key);
                return root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()!
                    : throw new WorkloadException($"{source}: \"{key}\" must be a string");
            }

            int Int(string key, int? fallback = null)
            {
                allowed.Add(key);
                if (!root.TryGetProperty(key, out var v))
                {
                    return fallback ?? throw new WorkloadException($"{source}: \"{key}\" is missing");
                }

                return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n)
                    ? n
                    : throw new WorkloadException($"{source}: \"{key}\" must be a whole number, found {v.GetRawText()}");
            }

            var op = Text("op");
            var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : $"custom.{op}";
            Workload workload = op switch
            {
                "conv2d" => new Conv2dWorkload(name, Int("batch", 1), Int("height"), Int("width"), Int("in_filter"), Int("out_filter"),
                    Int("hkernel"), Int("wkernel"), Int("hpad", 0), Int("wpad", 0), Int("hstride", 1), Int("wstride", 1)).Validated(),
                "dense" => new DenseWorkload(name, Int("batch", 1), Int("in_features"), Int("out_features")).Validated(),
                _ => throw new WorkloadException($"{source}: \"op\" is \"{op}\"; expected \"conv2d\" or \"dense\""),
            };
            foreach (var property in root.EnumerateObject())
            {
                if (!allowed.Contains(property.Name))
                {
                    throw new WorkloadException($"{source}: unknown key \"{property.Name}\" for a {op} workload (expected: {string.Join(", ", allowed)})");
                }
            }

            // Logs, ground truth and validity data know a workload by its name: a custom shape under a built-in name
            // (or VTA's spelling of it) would be taken for the built-in one; the built-in shape under it is the built-in.
            if (Find(workload.Name) is { } builtIn && (workload.Name == builtIn.Name || IsVtaBenchmarkName(workload.Name)))
            {
                return builtIn == workload with { Name = builtIn.Name }
                    ? builtIn
                    : throw new WorkloadException(
                        $"{source}: \"name\" is \"{workload.Name}\", the name of the built-in workload {builtIn.Shape}; give the custom shape another name");
            }

            return workload;
        }
    }
}
