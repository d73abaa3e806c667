using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// Speaks the wire protocol to one agent over an open channel (docs/protocol.md §12): one request at a time, each
/// answered by the response with its sequence number; on silence or an advisory <c>E_CRC</c> the identical bytes are
/// sent again (the agent answers a duplicate from its cache and never runs it twice); after the last try the link
/// counts as lost. Writes and reads larger than a frame are chunked.
/// </summary>
public sealed class AgentClient : IDisposable
{
    private readonly IAgentChannel _channel;
    private readonly FrameParser _parser = new();
    private readonly BlockingCollection<Frame?> _frames = [];
    private readonly Thread _reader;
    private readonly Lock _request = new();
    private uint _sequence = (uint)Random.Shared.NextInt64(0, uint.MaxValue);
    private volatile string? _closed;
    private readonly int? _bytesPerSecond;
    private int _maxPayload = Frame.DefaultMaxPayload;

    /// <param name="bytesPerSecond">The link's rate when it is slow (<see cref="IBoardLink.BytesPerSecond"/>): frames are then sized to it.</param>
    public AgentClient(IAgentChannel channel, TimeSpan? requestTimeout = null, int retries = 3, int? bytesPerSecond = null)
    {
        _channel = channel;
        _bytesPerSecond = bytesPerSecond;
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5);
        Retries = retries;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "agent link reader" };
        _reader.Start();
    }

    /// <summary>How long to wait for the answer to one request (RUN and RESET add their own time).</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>Times a request is sent again after silence or <c>E_CRC</c> before the link counts as lost.</summary>
    public int Retries { get; }

    /// <summary>Requests sent again (silence or an advisory <c>E_CRC</c>).</summary>
    public long Resends { get; private set; }

    /// <summary>Responses dropped because they answered an earlier request (late answers to resends).</summary>
    public long StaleResponses { get; private set; }

    /// <summary>Bytes of requests written to the link.</summary>
    public long BytesSent { get; private set; }

    /// <summary>The host side's reader: CRC errors, resynchronisations and garbage seen on the way back.</summary>
    public FrameParser Parser => _parser;

    /// <summary>Why the link is closed, or null while it is open.</summary>
    public string? ClosedReason => _closed;

    /// <summary>
    /// The most arena bytes one WRITE frame carries: the agent's max_payload less the request's own fields, and on a
    /// slow link no more than one second of the link's time (at least 256 bytes), so that a frame always fits the
    /// request timeout.
    /// </summary>
    public int ChunkBytes => Chunk(12);

    private int Chunk(int overhead) =>
        Math.Min(_maxPayload - overhead, _bytesPerSecond is { } rate ? Math.Max(256, rate - overhead) : int.MaxValue);

    public AgentHello Hello()
    {
        var body = Body(Exchange(MessageType.Hello, [], RequestTimeout));
        RequireLength(MessageType.Hello, body, 48);
        var caps = body[7];
        var elements = new uint[5];
        for (var i = 0; i < elements.Length; i++)
        {
            elements[i] = BinaryPrimitives.ReadUInt32LittleEndian(body[(24 + (4 * i))..]);
        }

        var at = 44;
        var boardId = ReadString(body, ref at);
        var config = ReadString(body, ref at);
        var hello = new AgentHello
        {
            AgentVersion = new Version(BinaryPrimitives.ReadUInt16LittleEndian(body), BinaryPrimitives.ReadUInt16LittleEndian(body[2..]), BinaryPrimitives.ReadUInt16LittleEndian(body[4..])),
            Target = AgentHello.TargetName(body[6]),
            HasCycleCounter = (caps & 1) != 0,
            HasResetRegister = (caps & 2) != 0,
            HasBitstreamCommand = (caps & 4) != 0,
            SimulatedMemory = (caps & 8) != 0,
            ArenaBytes = (long)BinaryPrimitives.ReadUInt64LittleEndian(body[8..]),
            InstructionCapacity = BinaryPrimitives.ReadUInt32LittleEndian(body[16..]),
            MaxPayload = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[20..]),
            ElementBytes = elements,
            BoardId = boardId,
            Config = config,
        };
        _maxPayload = hello.MaxPayload;
        _parser.MaxPayload = Math.Max(hello.MaxPayload, Frame.DefaultMaxPayload);
        return hello;
    }

    /// <summary>Writes <paramref name="data"/> into the agent's arena at <paramref name="offset"/>, in frames of at most max_payload.</summary>
    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        var chunk = Chunk(12);
        var done = 0;
        do
        {
            var length = Math.Min(chunk, data.Length - done);
            var payload = new byte[12 + length];
            BinaryPrimitives.WriteUInt64LittleEndian(payload, (ulong)(offset + done));
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(8), (uint)length);
            data.Slice(done, length).CopyTo(payload.AsSpan(12));
            Body(Exchange(MessageType.Write, payload, RequestTimeout));
            done += length;
        }
        while (done < data.Length);
    }

    /// <summary>Reads <paramref name="length"/> bytes of the arena from <paramref name="offset"/>.</summary>
    public byte[] Read(long offset, int length)
    {
        var result = new byte[length];
        var chunk = Chunk(4);
        var done = 0;
        do
        {
            var part = Math.Min(chunk, length - done);
            var payload = new byte[12];
            BinaryPrimitives.WriteUInt64LittleEndian(payload, (ulong)(offset + done));
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(8), (uint)part);
            var body = Body(Exchange(MessageType.Read, payload, RequestTimeout));
            if (body.Length != part)
            {
                throw new LinkLostException($"READ of {part} bytes at arena offset {offset + done} answered with {body.Length} bytes");
            }

            body.CopyTo(result.AsSpan(done));
            done += part;
        }
        while (done < length);
        return result;
    }

    /// <summary>Runs <paramref name="count"/> instructions at arena offset <paramref name="instructionOffset"/>; the agent gives up after <paramref name="timeout"/>.</summary>
    public AgentRun Run(long instructionOffset, int count, TimeSpan timeout)
    {
        var timeoutMs = (uint)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 1, 3_600_000);
        var payload = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, (ulong)instructionOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(8), (uint)count);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(12), timeoutMs);

        // The agent does not read the link while it waits for done: the answer comes after the run's own timeout.
        var body = Body(Exchange(MessageType.Run, payload, RequestTimeout + TimeSpan.FromMilliseconds(timeoutMs)));
        RequireLength(MessageType.Run, body, 24);
        return new AgentRun(
            body[0] == 0,
            BinaryPrimitives.ReadUInt32LittleEndian(body[4..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(body[8..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(body[16..]));
    }

    /// <summary>Resets the accelerator; a hard reset may reload the bitstream, which takes up to <paramref name="allow"/>.</summary>
    public AgentReset Reset(ResetKind kind, TimeSpan? allow = null)
    {
        var body = Body(Exchange(MessageType.Reset, [(byte)kind, 0, 0, 0], RequestTimeout + (allow ?? TimeSpan.FromSeconds(kind == ResetKind.Hard ? 120 : 1))));
        RequireLength(MessageType.Reset, body, 16);
        var actions = body[1];
        return new AgentReset((ResetKind)body[0], (actions & 1) != 0, (actions & 2) != 0, (actions & 4) != 0,
            BinaryPrimitives.ReadInt32LittleEndian(body[4..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(body[8..]));
    }

    public AgentStatus Status() => AgentStatus.Parse(Body(Exchange(MessageType.Status, [], RequestTimeout)));

    /// <summary>The body of an OK response, or an <see cref="AgentException"/> for its error code.</summary>
    public static ReadOnlySpan<byte> BodyOf(Frame response) => Body(response);

    /// <summary>Sends one request and returns its response, resending the identical bytes on silence or <c>E_CRC</c>.</summary>
    public Frame Exchange(MessageType type, byte[] payload, TimeSpan timeout)
    {
        lock (_request)
        {
            var sequence = unchecked(++_sequence);
            var bytes = new Frame(type, false, sequence, payload).Encode();
            for (var attempt = 0; attempt <= Retries; attempt++)
            {
                if (attempt > 0)
                {
                    Resends++;
                }

                Send(bytes);
                if (Await(type, sequence, timeout) is { } response)
                {
                    return response;
                }
            }

            throw new LinkLostException($"no answer to {type.ToString().ToUpperInvariant()} (seq {sequence}) after {Retries + 1} tries of {timeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>The response to (type, sequence), or null when it did not come in time or the agent asked for a resend.</summary>
    private Frame? Await(MessageType type, uint sequence, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0 || !_frames.TryTake(out var frame, TimeSpan.FromMilliseconds(left)))
            {
                return null;
            }

            if (frame is null)
            {
                _frames.Add(null); // keep the end marker for whoever asks next
                throw new LinkLostException($"the link to the agent closed: {_closed}");
            }

            if (!frame.IsResponse || frame.Sequence != sequence || frame.Type != type)
            {
                StaleResponses++;
                continue;
            }

            if (frame.Payload.Length >= 2 && (AgentErrorCode)BinaryPrimitives.ReadUInt16LittleEndian(frame.Payload) == AgentErrorCode.Crc)
            {
                return null; // advisory: the request was damaged on the way; resend it at once
            }

            return frame;
        }
    }

    private void Send(byte[] bytes)
    {
        if (_closed is { } reason)
        {
            throw new LinkLostException($"the link to the agent closed: {reason}");
        }

        try
        {
            _channel.ToAgent.Write(bytes);
            _channel.ToAgent.Flush();
            BytesSent += bytes.Length;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException or Renci.SshNet.Common.SshException or System.Net.Sockets.SocketException)
        {
            // A dropped SSH connection may answer the write with a SocketException (broken pipe). A serial write that outlasts its timeout leaves part of a frame on the line: the agent's parser drops it
            // (its CRC fails), and a resend or a reconnect starts clean.
            throw new LinkLostException($"writing to the agent failed: {e.Message}", e);
        }
    }

    /// <summary>The response's body, or an <see cref="AgentException"/> for its error code.</summary>
    private static ReadOnlySpan<byte> Body(Frame response)
    {
        var payload = response.Payload;
        if (payload.Length < 4)
        {
            throw new LinkLostException($"a {response.Type} response of {payload.Length} bytes is too short for its result code");
        }

        var code = (AgentErrorCode)BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (code == AgentErrorCode.Ok)
        {
            return payload.AsSpan(4);
        }

        var argument = payload.Length >= 8 ? BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(4)) : 0;
        var text = string.Empty;
        if (payload.Length >= 10)
        {
            var length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(8)), payload.Length - 10);
            text = Encoding.UTF8.GetString(payload, 10, length);
        }

        if (code == AgentErrorCode.Busy)
        {
            // Another agent drives the accelerator (a run of an earlier connection that outlasted --lock-wait-ms): the
            // board is not available, which says nothing about the program.
            throw new LinkLostException($"the agent could not take the accelerator for {response.Type.ToString().ToUpperInvariant()}: {text}");
        }

        throw new AgentException(response.Type, code, argument, text);
    }

    /// <summary>A response body shorter than the protocol gives it: an agent of another protocol version.</summary>
    private static void RequireLength(MessageType type, ReadOnlySpan<byte> body, int length)
    {
        if (body.Length < length)
        {
            throw new LinkLostException(
                $"the agent answered {type.ToString().ToUpperInvariant()} with {body.Length} bytes, shorter than the {length} the protocol gives it: " +
                "is the agent on the board of another version than this host? Install the agent built from this checkout (firmware-stubs/)");
        }
    }

    private static string ReadString(ReadOnlySpan<byte> body, ref int at)
    {
        RequireLength(MessageType.Hello, body, at + 2);
        var length = BinaryPrimitives.ReadUInt16LittleEndian(body[at..]);
        RequireLength(MessageType.Hello, body, at + 2 + length);
        var text = Encoding.UTF8.GetString(body.Slice(at + 2, length));
        at += 2 + length;
        return text;
    }

    private void ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = _channel.FromAgent.Read(buffer);
                if (read == 0)
                {
                    _closed = "the agent ended the stream (it exited or the connection dropped)";
                    break;
                }

                _parser.Feed(buffer.AsSpan(0, read));
                while (_parser.Next() is { } frame)
                {
                    _frames.Add(frame);
                }
            }
        }
        catch (Exception e)
        {
            // The reader's own thread: whatever ends it (a dropped SSH session, a closed port, a bug in a stream) closes
            // the link with its reason, and the request waiting on it gets a LinkLostException, not a dead process.
            _closed = $"reading from the agent failed: {e.Message}";
        }

        _frames.Add(null);
    }

    public void Dispose()
    {
        _closed ??= "closed by the host";
        try
        {
            _channel.Dispose();
        }
        finally
        {
            _reader.Join(TimeSpan.FromSeconds(2));
        }
    }
}
