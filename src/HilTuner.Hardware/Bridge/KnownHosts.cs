using HilTuner.IO;
using System.Security.Cryptography;

namespace HilTuner.Hardware.Bridge;

/// <summary>Reads OpenSSH known_hosts files (plain host patterns; hashed entries are matched too).</summary>
public static class KnownHosts
{
    /// <summary>The SHA-256 fingerprints (unpadded base64) of every key the file lists for host:port.</summary>
    public static IReadOnlyList<string> Fingerprints(string path, string host, int port)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var name = port == 22 ? host : $"[{host}]:{port}";
        var result = new List<string>();
        string text;
        try
        {
            text = InputFile.ReadAllText(path, 16 * InputFile.MiB);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot be read: {e.Message}", e);
        }

        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith('@'))
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || !fields[0].Split(',').Any(pattern => Matches(pattern, name)))
            {
                continue;
            }

            try
            {
                result.Add(Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(fields[2]))).TrimEnd('='));
            }
            catch (FormatException)
            {
                // Not a key: skip the line as ssh does.
            }
        }

        return result;
    }

    private static bool Matches(string pattern, string name)
    {
        if (!pattern.StartsWith("|1|", StringComparison.Ordinal))
        {
            return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
        }

        var parts = pattern.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }

        try
        {
            var hash = HMACSHA1.HashData(Convert.FromBase64String(parts[2]), System.Text.Encoding.ASCII.GetBytes(name));
            return Convert.ToBase64String(hash) == parts[3];
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
