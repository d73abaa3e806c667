using HilTuner.Hardware.Bridge;

namespace HilTuner.Hardware.Tests.Bridge;

/// <summary>
/// A serial line with noise: wraps a real link and, with a fixed seed, flips bits in frames going either way and
/// inserts bursts of garbage — what a long unshielded cable does, which a pty pair cannot.
/// </summary>
internal sealed class NoisyLine(IBoardLink inner, int seed, double flipPerWrite, double flipPerRead, double garbagePerWrite) : IBoardLink
{
    private readonly Random _random = new(seed);

    public double FlipPerWrite { get; } = flipPerWrite;
    public double FlipPerRead { get; } = flipPerRead;
    public double GarbagePerWrite { get; } = garbagePerWrite;

    public long FlippedToAgent { get; private set; }
    public long FlippedFromAgent { get; private set; }
    public long GarbageBursts { get; private set; }

    public string Kind => inner.Kind;

    public int? BytesPerSecond => inner.BytesPerSecond;

    public string Describe => inner.Describe + " (noisy)";

    public IAgentChannel Open()
    {
        var channel = inner.Open();
        return new Channel(channel, new NoisyStream(this, channel.ToAgent, toAgent: true), new NoisyStream(this, channel.FromAgent, toAgent: false));
    }

    public void Dispose() => inner.Dispose();

    private sealed class Channel(IAgentChannel inner, Stream to, Stream from) : IAgentChannel
    {
        public Stream FromAgent => from;

        public Stream ToAgent => to;

        public void Dispose() => inner.Dispose();
    }

    private sealed class NoisyStream(NoisyLine line, Stream inner, bool toAgent) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            lock (line._random)
            {
                if (read > 0 && !toAgent && line._random.NextDouble() < line.FlipPerRead)
                {
                    buffer[offset + line._random.Next(read)] ^= (byte)(1 << line._random.Next(8));
                    line.FlippedFromAgent++;
                }
            }

            return read;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            var copy = buffer.AsSpan(offset, count).ToArray();
            lock (line._random)
            {
                if (toAgent && line._random.NextDouble() < line.GarbagePerWrite)
                {
                    var garbage = new byte[line._random.Next(1, 64)];
                    line._random.NextBytes(garbage);
                    garbage[0] = 0xA7; // a false start of a magic
                    inner.Write(garbage);
                    line.GarbageBursts++;
                }

                if (toAgent && line._random.NextDouble() < line.FlipPerWrite)
                {
                    copy[line._random.Next(copy.Length)] ^= (byte)(1 << line._random.Next(8));
                    line.FlippedToAgent++;
                }
            }

            inner.Write(copy);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
