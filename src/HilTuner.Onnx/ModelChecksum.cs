using System.Security.Cryptography;
using Google.Protobuf;
using HilTuner.Onnx.Proto;

namespace HilTuner.Onnx;

/// <summary>
/// The file's last bytes are one metadata_props entry (<see cref="OnnxTreeModelFormat.ChecksumKey"/>) holding the
/// SHA-256 of every byte before it. Protobuf concatenation appends to a repeated field, so the result is still one
/// valid ModelProto; any truncation or changed byte is detected when the file is read.
/// </summary>
internal static class ModelChecksum
{
    private const int MetadataPropsField = 14;

    public static byte[] Append(byte[] body)
    {
        byte[] tail = Tail(Hash(body));
        var result = new byte[body.Length + tail.Length];
        body.CopyTo(result, 0);
        tail.CopyTo(result, body.Length);
        return result;
    }

    /// <summary>Null when the checksum holds; otherwise the problem.</summary>
    public static string? Verify(ReadOnlySpan<byte> file, ModelProto parsed)
    {
        var last = parsed.MetadataProps.Count > 0 ? parsed.MetadataProps[^1] : null;
        if (last is null || last.Key != OnnxTreeModelFormat.ChecksumKey)
        {
            return $"it has no '{OnnxTreeModelFormat.ChecksumKey}' entry at its end (not written by HilTuner, or truncated)";
        }

        byte[] tail = Tail(last.Value);
        if (tail.Length > file.Length || !file[^tail.Length..].SequenceEqual(tail))
        {
            return "its checksum entry is not the last thing in the file (the file was altered)";
        }

        string actual = Hash(file[..^tail.Length]);
        return string.Equals(actual, last.Value, StringComparison.Ordinal)
            ? null
            : "its content does not match its SHA-256 checksum (the file is corrupted or was altered)";
    }

    private static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] Tail(string hash)
    {
        var entry = new StringStringEntryProto { Key = OnnxTreeModelFormat.ChecksumKey, Value = hash };
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(MetadataPropsField, WireFormat.WireType.LengthDelimited);
        output.WriteMessage(entry);
        output.Flush();
        return buffer.ToArray();
    }
}
