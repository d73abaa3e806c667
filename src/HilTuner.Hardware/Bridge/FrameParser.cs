using System.Buffers.Binary;
using System.IO.Hashing;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// Finds frames in a byte stream as the agent does (docs/protocol.md §4): scan for the magic, check the header's
/// CRC before trusting its length, wait for the whole frame, check its CRC; on any mismatch drop one byte and scan
/// again, so that garbage or a flipped bit costs the frames it touches and nothing after them.
/// </summary>
public sealed class FrameParser(int maxPayload = Frame.DefaultMaxPayload)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _discarding;

    public int MaxPayload { get; set; } = maxPayload;

    /// <summary>Frames that passed both CRC checks.</summary>
    public long FramesOk { get; private set; }

    /// <summary>Header or frame CRC mismatches.</summary>
    public long CrcErrors { get; private set; }

    /// <summary>Runs of discarded bytes (one per run, however long).</summary>
    public long Resyncs { get; private set; }

    /// <summary>Bytes discarded while looking for a frame.</summary>
    public long GarbageBytes { get; private set; }

    /// <summary>Headers announcing more payload than <see cref="MaxPayload"/> (skipped as garbage).</summary>
    public long Oversize { get; private set; }

    /// <summary>Appends received bytes.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        if (_end + data.Length > _buffer.Length)
        {
            var live = _end - _start;
            if (live + data.Length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, live + data.Length));
            }

            Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            _start = 0;
            _end = live;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>The next complete, intact frame in what was fed, or null when more bytes are needed.</summary>
    public Frame? Next()
    {
        while (true)
        {
            var magic = _buffer.AsSpan(_start, _end - _start).IndexOf(Frame.Magic);
            if (magic < 0)
            {
                // Keep a tail that may be the start of a magic split across reads.
                var keep = Math.Min(_end - _start, Frame.Magic.Length - 1);
                Discard(_end - _start - keep);
                return null;
            }

            Discard(magic);
            if (_end - _start < Frame.HeaderBytes)
            {
                return null;
            }

            var header = _buffer.AsSpan(_start, Frame.HeaderBytes);
            if (Crc32.HashToUInt32(header[..16]) != BinaryPrimitives.ReadUInt32LittleEndian(header[16..]))
            {
                CrcErrors++;
                Discard(1);
                continue;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
            if (length > (uint)MaxPayload)
            {
                Oversize++;
                Discard(Frame.HeaderBytes);
                continue;
            }

            var total = Frame.OverheadBytes + (int)length;
            if (_end - _start < total)
            {
                if (total > _buffer.Length)
                {
                    Array.Resize(ref _buffer, total + _buffer.Length);
                }

                return null;
            }

            var frame = _buffer.AsSpan(_start, total);
            if (Crc32.HashToUInt32(frame[..^Frame.TrailerBytes]) != BinaryPrimitives.ReadUInt32LittleEndian(frame[^Frame.TrailerBytes..]))
            {
                CrcErrors++;
                Discard(1);
                continue;
            }

            var result = new Frame(
                (MessageType)frame[5],
                (frame[6] & Frame.ResponseFlag) != 0,
                BinaryPrimitives.ReadUInt32LittleEndian(frame[8..]),
                frame.Slice(Frame.HeaderBytes, (int)length).ToArray());
            _start += total;
            _discarding = false;
            FramesOk++;
            return result;
        }
    }

    private void Discard(int count)
    {
        if (count <= 0)
        {
            return;
        }

        if (!_discarding)
        {
            Resyncs++;
            _discarding = true;
        }

        GarbageBytes += count;
        _start += count;
    }
}
