using HilTuner.IO;
using System.Text.Json;
using Google.Protobuf;
using HilTuner.Onnx.Proto;

namespace HilTuner.Onnx;

/// <summary>
/// Reads and checks HilTuner calibrated tree-ensemble ONNX files with Google.Protobuf (no OnnxRuntime). Every problem
/// is reported as an <see cref="OnnxModelException"/> naming the file.
/// </summary>
public static class OnnxTreeModelReader
{
    /// <summary>Reads the metadata of the model file at <paramref name="path"/>.</summary>
    /// <exception cref="OnnxModelException">The file is missing, unreadable, damaged or not such a model.</exception>
    public static OnnxModelInfo ReadInfo(string path) => ReadInfo(ReadFile(path), path);

    /// <summary>Reads the metadata of a model held in memory; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="OnnxModelException">The bytes are damaged or not such a model.</exception>
    public static OnnxModelInfo ReadInfo(ReadOnlySpan<byte> bytes, string sourceName) => Read(bytes, sourceName).Info;

    /// <summary>Reads and checks a model held in memory: its metadata and its parsed graph.</summary>
    internal static (OnnxModelInfo Info, ModelProto Proto) Read(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (bytes.IsEmpty)
        {
            throw new OnnxModelException(sourceName, "it is empty (0 bytes), not an ONNX model");
        }

        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException(
                sourceName, $"it is not an ONNX model: it does not parse as protobuf ({e.Message})", e);
        }

        return (Check(proto, bytes, sourceName), proto);
    }

    internal static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return InputFile.ReadAllBytes(path, 256 * InputFile.MiB);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OnnxModelException(path, "the file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new OnnxModelException(path, $"the file cannot be read ({e.Message})", e);
        }
    }

    private static OnnxModelInfo Check(ModelProto proto, ReadOnlySpan<byte> bytes, string source)
    {
        if (proto.IrVersion <= 0 || proto.Graph is null)
        {
            throw new OnnxModelException(source, "it is not an ONNX model: it has no IR version or no graph");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in proto.MetadataProps)
        {
            if (!metadata.TryAdd(entry.Key, entry.Value))
            {
                throw new OnnxModelException(source, $"metadata key '{entry.Key}' appears twice");
            }
        }

        if (!metadata.TryGetValue(OnnxTreeModelFormat.FormatKey, out string? format))
        {
            throw new OnnxModelException(
                source,
                $"it is an ONNX model but not a HilTuner calibrated tree-ensemble model (no '{OnnxTreeModelFormat.FormatKey}' metadata)");
        }

        if (format is not (OnnxTreeModelFormat.FormatValue or OnnxTreeModelFormat.MlpFormatValue))
        {
            throw new OnnxModelException(
                source, $"its format is '{format}'; this build reads '{OnnxTreeModelFormat.FormatValue}' and '{OnnxTreeModelFormat.MlpFormatValue}'");
        }

        string? checksumProblem = ModelChecksum.Verify(bytes, proto);
        if (checksumProblem is not null)
        {
            throw new OnnxModelException(source, checksumProblem);
        }

        string[] featureNames = ReadNameList(metadata, OnnxTreeModelFormat.FeatureNamesKey, source);
        string[] headNames = ReadNameList(metadata, OnnxTreeModelFormat.HeadNamesKey, source);
        if (featureNames.Length == 0 || headNames.Length == 0)
        {
            throw new OnnxModelException(source, "it lists no features or no heads");
        }

        var graph = proto.Graph;
        if (graph.Input.Count != 1 || graph.Input[0].Name != OnnxTreeModelFormat.InputName)
        {
            throw new OnnxModelException(
                source,
                $"its graph should have the single input '{OnnxTreeModelFormat.InputName}' but has [{string.Join(", ", graph.Input.Select(i => i.Name))}]");
        }

        long? width = FloatMatrixWidth(graph.Input[0]);
        if (width is null)
        {
            throw new OnnxModelException(source, $"its input '{OnnxTreeModelFormat.InputName}' is not a float matrix [batch, features]");
        }

        if (width != featureNames.Length)
        {
            throw new OnnxModelException(
                source, $"its input has {width} columns but its metadata names {featureNames.Length} features");
        }

        string[] outputs = [.. graph.Output.Select(o => o.Name)];
        if (!outputs.SequenceEqual(headNames, StringComparer.Ordinal))
        {
            throw new OnnxModelException(
                source,
                $"its outputs [{string.Join(", ", outputs)}] do not match its heads [{string.Join(", ", headNames)}]");
        }

        foreach (var output in graph.Output)
        {
            if (FloatMatrixWidth(output) != 1)
            {
                throw new OnnxModelException(source, $"its output '{output.Name}' is not a float matrix [batch, 1]");
            }
        }

        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in proto.OpsetImport)
        {
            opsets[opset.Domain] = opset.Version;
        }

        foreach (string key in OnnxTreeModelFormat.ReservedMetadataKeys)
        {
            metadata.Remove(key);
        }

        return new OnnxModelInfo(
            source, featureNames, headNames, metadata, proto.ProducerName, proto.DocString, proto.IrVersion, opsets)
        { Format = format };
    }

    private static long? FloatMatrixWidth(ValueInfoProto value)
    {
        var tensor = value.Type?.TensorType;
        if (tensor is null || tensor.ElemType != (int)TensorProto.Types.DataType.Float || tensor.Shape is null ||
            tensor.Shape.Dim.Count != 2 || tensor.Shape.Dim[1].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
        {
            return null;
        }

        return tensor.Shape.Dim[1].DimValue;
    }

    private static string[] ReadNameList(Dictionary<string, string> metadata, string key, string source)
    {
        if (!metadata.TryGetValue(key, out string? json))
        {
            throw new OnnxModelException(source, $"metadata key '{key}' is missing");
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new OnnxModelException(source, $"metadata key '{key}' is not a JSON array");
            }

            var names = new List<string>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                string? name = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
                if (string.IsNullOrEmpty(name))
                {
                    throw new OnnxModelException(source, $"metadata key '{key}' holds an empty or non-string name");
                }

                names.Add(name);
            }

            if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            {
                throw new OnnxModelException(source, $"metadata key '{key}' repeats a name");
            }

            return [.. names];
        }
        catch (JsonException e)
        {
            throw new OnnxModelException(source, $"metadata key '{key}' is not valid JSON ({e.Message})", e);
        }
    }
}
