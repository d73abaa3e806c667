namespace HilTuner.Hardware;

/// <summary>Bit-exact comparison of an output with its reference.</summary>
public static class OutputCheck
{
    /// <summary>Null when equal; otherwise how many elements differ and the first of them.</summary>
    public static string? FirstMismatch(ReadOnlySpan<sbyte> actual, ReadOnlySpan<sbyte> expected)
    {
        if (actual.Length != expected.Length)
        {
            return $"the output has {actual.Length} elements, the reference {expected.Length}";
        }

        var first = actual.CommonPrefixLength(expected);
        if (first == actual.Length)
        {
            return null;
        }

        var differing = 0;
        for (var i = first; i < actual.Length; i++)
        {
            if (actual[i] != expected[i])
            {
                differing++;
            }
        }

        return $"{differing} of {actual.Length} output elements differ from the reference; the first at element {first}: got {actual[first]}, expected {expected[first]}";
    }
}
