using System.Collections.Concurrent;
using HilTuner.Hardware.Bridge;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests.Bridge;

/// <summary>
/// Tearing a link down over a connection that already dropped: whatever the teardown meets (a broken pipe on the SSH
/// EOF, a channel the server closed, an agent already gone) ends as a lost link, and the session connects afresh.
/// </summary>
[TestClass]
public sealed class LinkTeardownTests
{
    [TestMethod]
    public void AnSshChannelClosedOverAConnectionThatJustDroppedIsALostLinkAndTheSessionReconnects()
    {
        using var sshd = new PrivateSshd();
        using var board = new CoSimBoard();
        var boardFile = Board.Load(board.WriteBoardFile(board.SshLink(sshd)));
        var settings = LinkSettings.Of(boardFile) with { ReconnectDelay = TimeSpan.FromMilliseconds(50), ReconnectTries = 3 };
        var log = new ConcurrentQueue<string>();
        using var dropped = new ManualResetEventSlim();
        using var tornDown = new ManualResetEventSlim();
        void Log(string line)
        {
            log.Enqueue(line);
            if (line.StartsWith("ssh: the connection to", StringComparison.Ordinal) && !dropped.IsSet)
            {
                // SSH.NET's reader thread, which has just seen the connection drop, is held here while the session
                // tears the channel down: the EOF then meets the dead socket before SSH.NET closes its side, the race
                // a real drop loses about once in ten (a SocketException "Broken pipe" that ended the process).
                dropped.Set();
                tornDown.Wait(TimeSpan.FromSeconds(3));
            }
        }

        using var session = new BoardSession(boardFile, settings.CreateLink(Log), settings, Log);
        session.Connect();
        Assert.IsGreaterThan(0, sshd.KillSessions(), "the session's processes were found and killed");
        Assert.IsTrue(dropped.Wait(TimeSpan.FromSeconds(10)), $"SSH.NET reported the dropped connection\n{string.Join("\n", log)}");
        try
        {
            session.Drop();
        }
        finally
        {
            tornDown.Set();
        }

        var hello = session.Reconnect().Hello();
        Assert.AreEqual(board.Id, hello.BoardId, string.Join("\n", log));
        Assert.IsTrue(log.Any(l => l.Contains("the link is lost", StringComparison.Ordinal)), $"the teardown met the dropped connection\n{string.Join("\n", log)}");
    }

    [TestMethod]
    public void SshSessionsKilledUnderAnOpenChannelAreLostLinksThatReconnect()
    {
        using var sshd = new PrivateSshd();
        using var board = new CoSimBoard();
        var boardFile = Board.Load(board.WriteBoardFile(board.SshLink(sshd)));
        var settings = LinkSettings.Of(boardFile) with { ReconnectDelay = TimeSpan.FromMilliseconds(50), ReconnectTries = 3 };
        var log = new ConcurrentQueue<string>();
        using var session = new BoardSession(boardFile, settings.CreateLink(log.Enqueue), settings, log.Enqueue);
        session.Connect();

        // The teardown right after the kill and after a failed request, by turns.
        const int Rounds = 6;
        for (var round = 0; round < Rounds; round++)
        {
            Assert.IsGreaterThan(0, sshd.KillSessions(), $"round {round}: the session's processes were found and killed");
            if (round % 2 == 1)
            {
                Assert.ThrowsExactly<LinkLostException>(() => session.Client.Hello(), $"round {round}: a request over the dropped session");
            }

            // Drop → Connect: the old channel's EOF goes over the dropped connection; nothing may escape but a lost link.
            session.Reconnect();
            Assert.AreEqual(board.Id, session.Client.Hello().BoardId, $"round {round}: the new connection reaches the agent\n{string.Join("\n", log)}");
        }

        Assert.AreEqual(Rounds, session.Reconnects);
    }

    [TestMethod]
    public void ALocalAgentKilledUnderAnOpenChannelIsALostLinkThatReconnects()
    {
        using var board = new CoSimBoard();
        var boardFile = Board.Load(board.WriteBoardFile(board.ProcessLink()));
        var settings = LinkSettings.Of(boardFile) with { ReconnectDelay = TimeSpan.FromMilliseconds(50), ReconnectTries = 3 };
        using var session = new BoardSession(boardFile, settings.CreateLink(), settings);
        session.Connect();
        for (var round = 0; round < 4; round++)
        {
            Assert.AreEqual(1, board.KillAgents(), $"round {round}");
            session.Reconnect(); // closing the dead agent's input is a broken pipe
            Assert.AreEqual(board.Id, session.Client.Hello().BoardId, $"round {round}");
        }
    }
}
