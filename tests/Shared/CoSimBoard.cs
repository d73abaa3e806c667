using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Hardware.CoSim;
using HilTuner.Vta.Config;

namespace HilTuner.Tests.Shared;

/// <summary>
/// A co-simulated board for the bridge's tests: a shared memory file in /dev/shm, the co-simulation device running
/// in this process over it, and the command line of the real C agent (host build) mapping the same file. Board files
/// with a link section (process, ssh or serial) are written next to it.
/// </summary>
internal sealed class CoSimBoard : IDisposable
{
    public const string DmaPhys = "0x10000000";
    public const string DmaSize = "0x8000000";

    /// <summary>Instructions the agent reserves room for: the largest ResNet-18 programs (1×1 tiles) need well over the default 65 536.</summary>
    public const string InstructionCapacity = "2097152";

    private readonly List<string> _files = [];

    public CoSimBoard(string? boardFile = null, string? id = null, bool startDevice = true)
    {
        Base = Board.Load(boardFile is null ? Repository.UncalibratedBoardFile : Repository.BoardFile(boardFile));
        Id = id ?? "cosim-" + Guid.NewGuid().ToString("N")[..8];
        var shm = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        MemoryPath = Path.Combine(shm, $"hiltuner-test-{Id}.mem");
        Memory = SharedMemoryFile.Open(MemoryPath);
        _files.Add(MemoryPath);
        Device = new CoSimDevice(Base, Memory, log: line => DeviceLog.Add(line));
        if (startDevice)
        {
            Device.Start();
        }
    }

    /// <summary>The board file the co-simulated board has (the uncalibrated default by default): its VTA configuration, registers and timing.</summary>
    public Board Base { get; }

    public string Id { get; }

    public string MemoryPath { get; }

    public SharedMemoryFile Memory { get; }

    public CoSimDevice Device { get; }

    public System.Collections.Concurrent.ConcurrentBag<string> DeviceLog { get; } = [];

    /// <summary>The host build of the agent (make -C firmware-stubs host).</summary>
    public static string AgentPath
    {
        get
        {
            var path = Path.Combine(Repository.Root, "firmware-stubs", "build", "host", "vta-agent");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build it with `make -C firmware-stubs host` (make build does)");
        }
    }

    /// <summary>The agent's options for this board, after the transport (<c>--stdio</c> or <c>--tty DEV</c>).</summary>
    public IReadOnlyList<string> AgentOptions(params string[] extra)
    {
        var options = CoSimOptions.For(Base);
        return
        [
            "--target", Base.Vta.Target, "--config", Base.Vta.ConfigString, "--board-id", Id,
            "--mem", MemoryPath, "--dma-phys", DmaPhys, "--dma-size", DmaSize, "--insn-capacity", InstructionCapacity,
            "--cycle-counter", "0x" + options.CycleCounter!.Value.ToString("X", CultureInfo.InvariantCulture),
            "--reset-hold-ms", "20",
            .. extra,
        ];
    }

    /// <summary>The agent on this machine over its stdio.</summary>
    public JsonObject ProcessLink(params string[] extra) => new()
    {
        ["kind"] = "process",
        ["command"] = new JsonArray([.. new[] { AgentPath, "--stdio", "--log-level", "warn" }.Concat(AgentOptions(extra)).Select(a => (JsonNode)a!)]),
        ["watchdog_floor_ms"] = 3000,
        ["request_timeout_ms"] = 3000,
    };

    /// <summary>
    /// The agent started over SSH through <paramref name="sshd"/>, its host key pinned (or <paramref name="hostKey"/>
    /// pinned instead), with <paramref name="agentExtra"/> after its usual options.
    /// </summary>
    public JsonObject SshLink(PrivateSshd sshd, string? hostKey = null, bool pin = true, IReadOnlyList<string>? agentExtra = null)
    {
        var link = new JsonObject
        {
            ["kind"] = "ssh",
            ["host"] = "127.0.0.1",
            ["port"] = sshd.Port,
            ["user"] = sshd.User,
            ["key"] = sshd.Key,
            ["agent"] = string.Join(' ', new[] { AgentPath, "--stdio", "--log-level", "warn" }.Concat(AgentOptions([.. agentExtra ?? []]))),
            ["watchdog_floor_ms"] = 3000,
            ["request_timeout_ms"] = 3000,
        };
        if (pin)
        {
            link["host_key_sha256"] = hostKey ?? sshd.HostKeySha256;
        }

        return link;
    }

    /// <summary>
    /// Kills, as a board's crash or reboot would, every agent process of this board that is running on this machine
    /// (started by a test, by sshd or on a tty), and waits until they are gone. The number killed.
    /// </summary>
    public int KillAgents()
    {
        var marker = "--board-id\0" + Id + "\0";
        var killed = new List<System.Diagnostics.Process>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (IOException)
            {
                continue; // ended meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (commandLine.StartsWith(AgentPath + "\0", StringComparison.Ordinal) && commandLine.Contains(marker, StringComparison.Ordinal))
            {
                try
                {
                    var process = System.Diagnostics.Process.GetProcessById(pid);
                    process.Kill();
                    killed.Add(process);
                }
                catch (ArgumentException)
                {
                }
                catch (InvalidOperationException)
                {
                }
            }
        }

        var count = killed.Count;
        ProcFs.WaitEnded(killed);
        return count;
    }

    /// <summary>A serial line to an agent started on its other end.</summary>
    public static JsonObject SerialLink(PtyPair pty) => new()
    {
        ["kind"] = "serial",
        ["device"] = pty.Host,
        ["baud"] = 115200,
        ["watchdog_floor_ms"] = 3000,
        ["request_timeout_ms"] = 3000,
    };

    /// <summary>Writes a board file: the base board with <paramref name="link"/> (and <paramref name="reset"/>) sections.</summary>
    public string WriteBoardFile(JsonObject link, JsonObject? reset = null, string? directory = null)
    {
        var json = JsonNode.Parse(File.ReadAllText(Base.Source))!.AsObject();
        json["name"] = Id;
        json["link"] = link;
        if (reset is not null)
        {
            json["reset"] = reset;
        }

        var path = Path.Combine(directory ?? Path.GetTempPath(), $"hiltuner-test-{Id}-{_files.Count}.json");
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        _files.Add(path);
        return path;
    }

    public void Dispose()
    {
        Device.Dispose();
        Memory.Dispose();
        foreach (var file in _files)
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }
}
