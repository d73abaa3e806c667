using HilTuner.IO;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Replay;

/// <summary>
/// Every configuration of a workload's space compiled and measured on the simulator of one board: the ground
/// truth that the replay target answers from, so that tuners can be compared over thousands of runs cheaply.
/// </summary>
/// <remarks>
/// A table is valid for one workload, one board (its VTA configuration, limits and timing) and one build of the
/// compiler and simulator; <see cref="KeyOf"/> hashes all three, and a file whose key differs is not used.
/// On disk: a header line, then one JSON line per configuration in index order.
/// </remarks>
public sealed class GroundTruthTable
{
    /// <summary>The seed of the inputs every configuration runs on.</summary>
    public const int InputSeed = 0;

    private const string Format = "hiltuner-groundtruth/1";

    private GroundTruthTable(Workload workload, Board board, string key, GroundTruthEntry[] entries)
    {
        Workload = workload;
        Board = board;
        Key = key;
        Entries = entries;
    }

    public Workload Workload { get; }
    public Board Board { get; }

    /// <summary>The hash of workload, board and tool versions this table is valid for.</summary>
    public string Key { get; }

    /// <summary>One entry per configuration, by index.</summary>
    public IReadOnlyList<GroundTruthEntry> Entries { get; }

    public GroundTruthEntry this[long index] => Entries[(int)index];

    /// <summary>The file name a table of this workload and board is cached under.</summary>
    public static string FileName(Workload workload, Board board) =>
        $"{workload.Name}.{Path.GetFileNameWithoutExtension(board.Name)}.{KeyOf(workload, board)[..12]}.jsonl";

    /// <summary>
    /// Hash of what the measurements depend on: the workload's shape, the board's VTA configuration, limits and
    /// timing, the input seed, and the builds of the compiler, the simulator and the target.
    /// </summary>
    public static string KeyOf(Workload workload, Board board)
    {
        var text = new StringBuilder()
            .Append(workload).Append('\n')
            .Append(JsonSerializer.Serialize(new { board.Vta, board.Fabric, board.Hardware, board.Timing })).Append('\n')
            .Append(InputSeed).Append('\n')
            .Append(ToolVersion);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The builds of the compiler, simulator and targets (their module version ids change with their code).</summary>
    public static string ToolVersion { get; } = string.Join(",",
        new[] { typeof(VtaCompiler), typeof(Vta.Simulation.VtaSimulator), typeof(SimTarget) }
            .Select(t => t.Assembly.ManifestModule.ModuleVersionId.ToString("N")));

    /// <summary>
    /// Compiles and measures every configuration (on <paramref name="threads"/> simulated boards at once);
    /// <paramref name="progress"/> is told how many are done.
    /// </summary>
    public static GroundTruthTable Measure(Workload workload, Board board, int threads = 0, Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        workload.RequirePackable(board.Vta);
        var space = Templates.For(workload, board.Vta);
        var tensors = OperatorTensors.Random(workload, InputSeed);
        var entries = new GroundTruthEntry[space.Size];
        var done = 0;
        using var targets = new ThreadLocal<SimTarget>(() => new SimTarget(board));
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = cancel };
        Parallel.For(0, (int)space.Size, options, i =>
        {
            var build = VtaCompiler.Compile(workload, space.Get(i), board);
            var m = build.Program is { } program
                ? targets.Value!.Measure(program, tensors, MeasureOptions.Default)
                : new Measurement { Status = MeasureStatus.CompileError, Error = build.Error!.Message };
            entries[i] = new GroundTruthEntry(m.Status, m.Cycles, m.Status == MeasureStatus.Ok ? m.Seconds : 0, m.Error);
            var count = Interlocked.Increment(ref done);
            progress?.Invoke(count, entries.Length);
        });
        return new GroundTruthTable(workload, board, KeyOf(workload, board), entries);
    }

    /// <summary>The cached table in <paramref name="directory"/>, or a new measurement saved there.</summary>
    public static GroundTruthTable LoadOrMeasure(string directory, Workload workload, Board board, Action<int, int>? progress = null)
    {
        var path = Path.Combine(directory, FileName(workload, board));
        if (File.Exists(path))
        {
            return Load(path, workload, board);
        }

        var table = Measure(workload, board, progress: progress);
        table.Save(path);
        return table;
    }

    public void Save(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Written beside and renamed, so a reader never sees half a table.
        var partial = path + ".partial";
        using (var writer = new StreamWriter(partial, false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            var header = new JsonObject
            {
                ["format"] = Format,
                ["workload"] = Workload.Name,
                ["shape"] = Workload.Shape,
                ["board"] = Board.Name,
                ["vta_config"] = Board.Vta.ConfigString,
                ["key"] = Key,
                ["tools"] = ToolVersion,
                ["input_seed"] = InputSeed,
                ["configurations"] = Entries.Count,
            };
            writer.WriteLine(header.ToJsonString());
            for (var i = 0; i < Entries.Count; i++)
            {
                var e = Entries[i];
                var line = new JsonObject { ["index"] = i, ["status"] = e.Status.JsonName(), ["cycles"] = e.Cycles, ["seconds"] = e.Seconds };
                if (e.Error is not null)
                {
                    line["error"] = e.Error;
                }

                writer.WriteLine(line.ToJsonString());
            }
        }

        File.Move(partial, path, overwrite: true);
    }

    /// <summary>The largest table read (256 MiB; a layer's whole space takes a few MB).</summary>
    public const long MaxFileBytes = 256 * InputFile.MiB;

    /// <summary>Reads a table, checking that it was measured for this workload, board and build of the tools.</summary>
    public static GroundTruthTable Load(string path, Workload workload, Board board)
    {
        string[] lines;
        try
        {
            lines = InputFile.ReadAllText(path, MaxFileBytes).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            if (lines.Length > 0 && lines[^1].Length == 0)
            {
                lines = lines[..^1];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GroundTruthException($"{path}: cannot be read: {e.Message}", e);
        }

        if (lines.Length == 0)
        {
            throw new GroundTruthException($"{path}: empty");
        }

        var header = Parse(path, 1, lines[0]);
        if (header["format"]?.ToString() != Format)
        {
            throw new GroundTruthException($"{path}:1: not a ground-truth file (format \"{header["format"]}\", expected \"{Format}\")");
        }

        var key = KeyOf(workload, board);
        if (header["key"]?.ToString() != key)
        {
            throw new GroundTruthException(
                $"{path}: measured for another workload, board or build of the compiler and simulator (key {header["key"]}, expected {key}); measure again with hiltuner bench groundtruth");
        }

        var size = Templates.For(workload, board.Vta).Size;
        if (lines.Length - 1 != size)
        {
            throw new GroundTruthException($"{path}: {lines.Length - 1} configurations, the space has {size}");
        }

        var entries = new GroundTruthEntry[size];
        for (var i = 0; i < size; i++)
        {
            var line = Parse(path, i + 2, lines[i + 1]);
            try
            {
                if (line["index"]!.GetValue<long>() != i)
                {
                    throw new GroundTruthException($"{path}:{i + 2}: index {line["index"]}, expected {i}");
                }

                var status = MeasureStatuses.Parse(line["status"]!.GetValue<string>())
                    ?? throw new GroundTruthException($"{path}:{i + 2}: unknown status {line["status"]}");
                entries[i] = new GroundTruthEntry(status, line["cycles"]!.GetValue<long>(), line["seconds"]!.GetValue<double>(), line["error"]?.GetValue<string>());
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
            {
                throw new GroundTruthException($"{path}:{i + 2}: malformed entry ({e.Message})", e);
            }
        }

        return new GroundTruthTable(workload, board, key, entries);
    }

    private static JsonObject Parse(string path, int line, string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new GroundTruthException($"{path}:{line}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new GroundTruthException($"{path}:{line}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>Entries per status, for summaries.</summary>
    public IReadOnlyDictionary<MeasureStatus, int> Counts() =>
        Entries.GroupBy(e => e.Status).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The fastest configuration's index and board seconds.</summary>
    public (long Index, double Seconds) Best()
    {
        var best = (Index: -1L, Seconds: double.PositiveInfinity);
        for (var i = 0; i < Entries.Count; i++)
        {
            if (Entries[i].Status == MeasureStatus.Ok && Entries[i].Seconds < best.Seconds)
            {
                best = (i, Entries[i].Seconds);
            }
        }

        return best;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Workload.Name} on {Board.Name}: {Entries.Count} configurations");
}
