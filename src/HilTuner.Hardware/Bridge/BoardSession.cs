using System.Diagnostics;
using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;

namespace HilTuner.Hardware.Bridge;

/// <summary>
/// One connection to a board's agent over a link: opened on first use, checked against the board file (VTA
/// configuration, element sizes), and reopened with back-off when it breaks.
/// </summary>
public sealed class BoardSession(Board board, IBoardLink link, LinkSettings settings, Action<string>? log = null) : IDisposable
{
    private AgentClient? _client;

    public Board Board { get; } = board;

    public IBoardLink Link { get; } = link;

    public LinkSettings Settings { get; } = settings;

    /// <summary>What the agent said when the session (re)connected.</summary>
    public AgentHello? Hello { get; private set; }

    /// <summary>Times the link was reopened after breaking.</summary>
    public int Reconnects { get; private set; }

    public Action<string>? Log { get; } = log;

    /// <summary>The connected client (connecting first if needed).</summary>
    public AgentClient Client => _client ?? Connect();

    /// <summary>Opens the link, greets the agent (HELLO is retried: a serial line may carry boot noise) and checks it is this board's.</summary>
    public AgentClient Connect()
    {
        Drop();
        var channel = Link.Open();
        var client = new AgentClient(channel, Settings.RequestTimeout, Settings.Retries, Link.BytesPerSecond);
        try
        {
            Hello = client.Hello();
        }
        catch
        {
            client.Dispose();
            throw;
        }

        _client = client;
        Check(Hello);
        return client;
    }

    /// <summary>Drops the connection and opens it again, with doubling back-off between tries.</summary>
    public AgentClient Reconnect()
    {
        var delay = Settings.ReconnectDelay;
        LinkLostException? last = null;
        for (var attempt = 1; attempt <= Settings.ReconnectTries; attempt++)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var client = Connect();
                Reconnects++;
                Log?.Invoke($"link: reconnected to {Link.Describe} (try {attempt}, {clock.Elapsed.TotalSeconds:0.000} s)");
                return client;
            }
            catch (LinkLostException e)
            {
                last = e;
                Log?.Invoke($"link: reconnect try {attempt} of {Settings.ReconnectTries} to {Link.Describe} failed: {e.Message}; next in {delay.TotalSeconds:0.0} s");
                Thread.Sleep(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Settings.ReconnectMaxDelay.Ticks));
            }
        }

        throw new LinkLostException($"{Link.Describe}: no connection after {Settings.ReconnectTries} tries: {last?.Message}", last);
    }

    /// <summary>
    /// Closes the connection (the agent ends with its input). It never throws: a link that fails while being torn
    /// down (a dropped SSH connection answering the EOF with a broken pipe) is a lost link, and the next
    /// <see cref="Connect"/> opens a new one.
    /// </summary>
    public void Drop()
    {
        var client = _client;
        _client = null;
        try
        {
            client?.Dispose();
        }
        catch (Exception e)
        {
            Log?.Invoke($"link: closing the link to {Link.Describe} failed ({e.GetType().Name}: {e.Message}); it is lost, the next connection starts afresh");
        }
    }

    private void Check(AgentHello hello)
    {
        var vta = Board.Vta;
        var problems = new List<string>();
        if (hello.Config != vta.ConfigString)
        {
            problems.Add($"its VTA configuration is {hello.Config}, the board file's is {vta.ConfigString}");
        }

        uint[] expected = [.. new[] { MemoryType.Uop, MemoryType.Wgt, MemoryType.Inp, MemoryType.Acc, MemoryType.Out }.Select(t => (uint)vta.ElementBytes(t))];
        if (!hello.ElementBytes.SequenceEqual(expected))
        {
            problems.Add($"its element sizes are {string.Join("/", hello.ElementBytes)} B, the board file's {string.Join("/", expected)} B");
        }

        if (vta.Target is "pynq" or "ultra96" or "zcu104" or "de10nano" && hello.Target != vta.Target)
        {
            problems.Add($"it drives a {hello.Target} register map, the board file says {vta.Target}");
        }

        if (problems.Count > 0)
        {
            Drop();
            throw new BoardFailureException(
                $"{Link.Describe}: the agent (board id {hello.BoardId}) is not the board {Board.Name} of {Board.Source}: {string.Join("; ", problems)}. " +
                "Start the agent with the board's --target and --config, or use the board file that matches it");
        }

        Log?.Invoke($"link: {Link.Describe}: agent {hello.AgentVersion} on {hello.BoardId} ({hello.Target}, {hello.Config}), arena {hello.ArenaBytes >> 20} MiB, " +
            $"{hello.InstructionCapacity} instructions{(hello.SimulatedMemory ? ", simulated memory" : string.Empty)}{(hello.HasCycleCounter ? ", cycle counter" : string.Empty)}");
    }

    public void Dispose()
    {
        Drop();
        Link.Dispose();
    }
}
