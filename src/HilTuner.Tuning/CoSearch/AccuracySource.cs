using System.Diagnostics;
using System.Globalization;
using HilTuner.IO;

namespace HilTuner.Tuning.CoSearch;

/// <summary>A candidate's accuracy as the outside world gives it: top-1 on validation data, and train top-1 when known.</summary>
public sealed record Accuracy(double Top1, double? Train)
{
    /// <summary>How much the network overfits: train minus validation top-1, never below 0; 0 when train accuracy is not known.</summary>
    public double Gap => Train is { } t ? Math.Max(0, t - Top1) : 0;

    /// <summary>The search's accuracy objective: top-1 less <paramref name="gapWeight"/> times the generalization gap.</summary>
    public double Score(double gapWeight) => Top1 - (gapWeight * Gap);
}

/// <summary>Where accuracies come from (HilTuner trains no networks): a table or a command.</summary>
public interface IAccuracySource
{
    /// <summary>What the source is, for messages (the table's path, the command).</summary>
    string Describe { get; }

    /// <summary>The accuracy of <paramref name="architecture"/>; <see cref="CoSearchException"/> when the source has none or answers badly.</summary>
    Accuracy Of(Architecture architecture, string architectureJson);
}

/// <summary>Parsing shared by the table and the command: accuracies are fractions in [0, 1].</summary>
internal static class AccuracyText
{
    public static double Fraction(string text, string where) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1
            ? v
            : throw new CoSearchException($"{where}: \"{text.Trim()}\" is not an accuracy (a number from 0 to 1)");
}

/// <summary>
/// <c>--accuracy TABLE.csv</c>: a header <c>architecture,top1[,train_top1]</c>, then one row per architecture
/// encoding (<see cref="Architecture.Encoding"/>). An architecture the table lacks is an error naming it.
/// </summary>
public sealed class AccuracyTable : IAccuracySource
{
    private readonly Dictionary<string, Accuracy> _rows = new(StringComparer.Ordinal);
    private readonly string _path;

    private AccuracyTable(string path) => _path = path;

    public string Describe => _path;

    public int Count => _rows.Count;

    public static AccuracyTable Load(string path)
    {
        var lines = CoSearchException.ReadInput(path, 64 * InputFile.MiB, "the accuracy table").Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        var header = lines.Length > 0 ? lines[0].Split(',').Select(c => c.Trim()).ToArray() : [];
        if (header is not (["architecture", "top1"] or ["architecture", "top1", "train_top1"]))
        {
            throw new CoSearchException($"{path}: line 1: the header must be \"architecture,top1\" or \"architecture,top1,train_top1\", found \"{(lines.Length > 0 ? lines[0] : string.Empty)}\"");
        }

        var table = new AccuracyTable(path);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            var where = $"{path}: line {i + 1}";
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length)
            {
                throw new CoSearchException($"{where}: {cells.Length} columns, the header has {header.Length}");
            }

            var key = cells[0].Trim();
            var accuracy = new Accuracy(AccuracyText.Fraction(cells[1], where), header.Length == 3 ? AccuracyText.Fraction(cells[2], where) : null);
            if (!table._rows.TryAdd(key, accuracy))
            {
                throw new CoSearchException($"{where}: architecture \"{key}\" is listed twice");
            }
        }

        return table.Count > 0 ? table : throw new CoSearchException($"{path}: the accuracy table has no rows");
    }

    public Accuracy Of(Architecture architecture, string architectureJson) =>
        _rows.TryGetValue(architecture.Encoding, out var a)
            ? a
            : throw new CoSearchException($"{_path}: no row for architecture \"{architecture.Encoding}\" (the table must cover every candidate of the space)");
}

/// <summary>
/// <c>--accuracy-cmd CMD</c>: run through <c>/bin/sh -c</c> once per architecture, the architecture's JSON on its
/// standard input; it prints top-1, optionally followed by train top-1, on one line. Anything else, a non-zero exit or
/// more than <see cref="TimeoutSeconds"/> is an error naming the command and the architecture.
/// </summary>
public sealed class AccuracyCommand(string command) : IAccuracySource
{
    public const int TimeoutSeconds = 600;

    public string Describe => command;

    public Accuracy Of(Architecture architecture, string architectureJson)
    {
        var where = $"--accuracy-cmd \"{command}\" for {architecture.Encoding}";
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new CoSearchException($"{where}: the command could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.Write(architectureJson);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // A command that does not read its input: its answer still counts.
        }

        if (!process.WaitForExit(TimeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new CoSearchException($"{where}: no answer within {TimeoutSeconds} s");
        }

        var stderr = error.Result.Trim();
        if (process.ExitCode != 0)
        {
            throw new CoSearchException($"{where}: exited with code {process.ExitCode}{(stderr.Length > 0 ? $": {stderr.Split('\n')[0]}" : string.Empty)}");
        }

        var words = output.Result.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length is 1 or 2
            ? new Accuracy(AccuracyText.Fraction(words[0], where), words.Length == 2 ? AccuracyText.Fraction(words[1], where) : null)
            : throw new CoSearchException($"{where}: printed \"{Shorten(output.Result)}\"; expected top-1 and optionally train top-1 (numbers from 0 to 1)");
    }

    private static string Shorten(string text)
    {
        var t = text.Trim().ReplaceLineEndings(" ");
        return t.Length > 80 ? t[..80] + "…" : t;
    }
}
