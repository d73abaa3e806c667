using System.Buffers.Binary;

namespace HilTuner.Vta.Isa;

/// <summary>An instruction stream and its micro-ops being assembled, encoded for one configuration's layout.</summary>
public sealed class InstructionStream(IsaLayout layout)
{
    private readonly List<InstructionWord> _words = [];
    private readonly List<uint> _uops = [];

    public IsaLayout Layout { get; } = layout;

    public IReadOnlyList<InstructionWord> Words => _words;

    public IReadOnlyList<uint> MicroOps => _uops;

    public int Count => _words.Count;

    /// <summary>Appends an instruction; returns its index.</summary>
    public int Add(MemoryInstruction instruction) => Append(instruction.Encode(Layout));

    public int Add(GemmInstruction instruction) => Append(instruction.Encode(Layout));

    public int Add(AluInstruction instruction) => Append(instruction.Encode(Layout));

    public int Add(FinishInstruction instruction) => Append(instruction.Encode(Layout));

    public int Add(InstructionWord word) => Append(word);

    /// <summary>Appends a micro-op; returns its index in the micro-op array.</summary>
    public int Add(MicroOp uop)
    {
        _uops.Add(uop.Encode(Layout));
        return _uops.Count - 1;
    }

    /// <summary>The instructions as the 16-byte little-endian words fetch reads from DRAM.</summary>
    public byte[] InstructionBytes()
    {
        var bytes = new byte[_words.Count * Config.VtaConfig.InstructionBytes];
        for (var i = 0; i < _words.Count; i++)
        {
            _words[i].WriteTo(bytes.AsSpan(i * Config.VtaConfig.InstructionBytes));
        }

        return bytes;
    }

    /// <summary>The micro-ops as the 4-byte little-endian words LOAD UOP reads from DRAM.</summary>
    public byte[] MicroOpBytes()
    {
        var bytes = new byte[_uops.Count * Config.VtaConfig.MicroOpBytes];
        for (var i = 0; i < _uops.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * Config.VtaConfig.MicroOpBytes), _uops[i]);
        }

        return bytes;
    }

    /// <summary>Reads an instruction stream stored as 16-byte little-endian words.</summary>
    public static IReadOnlyList<InstructionWord> ReadWords(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % Config.VtaConfig.InstructionBytes != 0)
        {
            throw new FormatException($"{bytes.Length} bytes is not a whole number of 16-byte instructions");
        }

        var words = new InstructionWord[bytes.Length / Config.VtaConfig.InstructionBytes];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = InstructionWord.ReadFrom(bytes[(i * Config.VtaConfig.InstructionBytes)..]);
        }

        return words;
    }

    private int Append(InstructionWord word)
    {
        _words.Add(word);
        return _words.Count - 1;
    }
}
