using System.Text.Json.Nodes;
using HilTuner.Hardware.Bridge;
using HilTuner.Tests.Shared;
using HilTuner.Vta.Config;

namespace HilTuner.Hardware.Tests.Bridge;

[TestClass]
public sealed class BoardFileLinkTests
{
    [TestMethod]
    [DataRow("pynq-z1.json", "pynq")]
    [DataRow("ultra96-v2.json", "ultra96")]
    [DataRow("zcu104.json", "zcu104")]
    [DataRow("de10-nano.json", "de10nano")]
    public void EachRealBoardFileDescribesItsLinkAndLadder(string file, string target)
    {
        var board = Board.Load(Repository.BoardFile(file));
        var link = LinkSettings.Of(board);
        Assert.AreEqual("ssh", link.Kind);
        Assert.IsNotNull(link.KnownHosts);
        StringAssert.Contains(link.Command[0], $"--target {target} --config {board.Vta.ConfigString}");
        CollectionAssert.AreEqual(new[] { "soft", "hard", "reboot" }, ResetLadder.Of(board).Steps.Select(s => s.Name).ToArray());
    }

    [TestMethod]
    public void TheSimulatorBoardHasNoLinkAndSaysWhatOneNeeds()
    {
        var e = Assert.ThrowsExactly<BoardFileException>(() => LinkSettings.Of(Board.Default));
        StringAssert.Contains(e.Message, "link");
        StringAssert.Contains(e.Message, "kind ssh");
    }

    [TestMethod]
    [DataRow("""{"kind": "telnet"}""", "link.kind", "telnet")]
    [DataRow("""{"kind": "serial"}""", "link.device", "missing")]
    [DataRow("""{"kind": "serial", "device": "/dev/ttyUSB0", "baud": "fast"}""", "link.baud", "fast")]
    [DataRow("""{"kind": "ssh", "host": "h", "user": "u", "key": "k", "agent": "a"}""", "link.host_key_sha256", "pin")]
    [DataRow("""{"kind": "process", "command": ["a"], "retry": 3}""", "link.retry", "unknown key")]
    [DataRow("""{"kind": "process", "command": []}""", "link.command", "agent's program")]
    [DataRow("""{"kind": "process", "command": ["a"], "reconnect_delay_ms": -5}""", "link.reconnect_delay_ms", "-5 must be between 0 and 3600000 ms")]
    [DataRow("""{"kind": "process", "command": ["a"], "request_timeout_ms": 1e300}""", "link.request_timeout_ms", "must be between 1 and 3600000 ms")]
    [DataRow("""{"kind": "process", "command": ["a"], "retries": -1}""", "link.retries", "-1 must be between 0 and 100")]
    [DataRow("""{"kind": "serial", "device": "/dev/ttyUSB0", "baud": 0}""", "link.baud", "0 must be between 50 and 16000000")]
    [DataRow("""{"kind": "ssh", "host": "h", "port": 70000, "user": "u", "key": "k", "agent": "a", "allow_unknown_host_key": true}""", "link.port", "70000 must be between 1 and 65535")]
    public void AMalformedLinkSectionNamesTheFileTheKeyAndTheProblem(string link, string key, string problem)
    {
        var json = JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!.AsObject();
        json["link"] = JsonNode.Parse(link);
        var path = Path.Combine(Path.GetTempPath(), $"hiltuner-link-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        try
        {
            var e = Assert.ThrowsExactly<BoardFileException>(() => LinkSettings.Of(Board.Load(path)));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, key);
            StringAssert.Contains(e.Message, problem);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
