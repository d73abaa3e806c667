using System.Globalization;
using HilTuner.IO;
using System.Text.Json;
using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Config;

/// <summary>
/// A board file (<c>boards/*.json</c>): the VTA configuration under VTA's own key names, the fabric clock and
/// bus, the modules' register bases, the build's hardware limits, the timing model's parameters, and the
/// link and reset sections that the board bridge reads.
/// </summary>
public sealed record Board
{
    /// <summary>The name of the embedded default board file.</summary>
    public const string DefaultName = "sim.json";

    /// <summary>The fastest fabric clock a board file may give (FPGA fabrics run at a few hundred MHz).</summary>
    public const double MaxClockMhz = 10_000;

    /// <summary>
    /// The deepest dependency or command queue a board file may give: VTA's Xilinx design builds its queues from AXI4-Stream
    /// data FIFOs (512 entries for commands, 1024 for tokens), and that FIFO is at most 32768 deep; the Chisel design's
    /// token counters hold 255.
    /// </summary>
    public const int MaxQueueDepth = 32768;

    /// <summary>
    /// The shallowest command queue: an HLS stream (what the command queues are) is at least 2 deep, its default; with
    /// one entry fetch could never run ahead of a module, which no VTA build does.
    /// </summary>
    public const int MinCommandQueueDepth = 2;

    /// <summary>The most cycles a timing parameter (a latency or an overhead per transfer or instruction) may be: 10 ms at 100 MHz.</summary>
    public const int MaxTimingCycles = 1_000_000;

    /// <summary>The longest board name (it is written into every log record and names files): 64 characters.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The longest AXI4 burst, in beats (ARLEN/AWLEN are 8 bits).</summary>
    public const int MaxAxiBurstBeats = 256;

    /// <summary>TARGET values VTA knows (<c>pkg_config.py</c>).</summary>
    public static IReadOnlyList<string> KnownTargets { get; } =
        ["pynq", "ultra96", "zcu104", "de10nano", "sim", "tsim", "intelfocl"];

    /// <summary>
    /// The board file whose fabric, registers, hardware limits and timing a bare <c>vta_config.json</c> of each TARGET
    /// gets; TARGETs without a board file of their own (sim, tsim, intelfocl) get the embedded default's.
    /// </summary>
    public static IReadOnlyDictionary<string, string> BoardFileOfTarget { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pynq"] = "pynq-z1.json",
        ["ultra96"] = "ultra96-v2.json",
        ["zcu104"] = "zcu104.json",
        ["de10nano"] = "de10-nano.json",
    };

    private static readonly Lazy<Board> s_default = new(() => Embedded(DefaultName));

    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary>Where the board was read from: a path, or <c>embedded:sim.json</c>.</summary>
    public required string Source { get; init; }

    public required VtaConfig Vta { get; init; }
    public required Fabric Fabric { get; init; }
    public required RegisterMap Registers { get; init; }
    public required HardwareLimits Hardware { get; init; }
    public required TimingParameters Timing { get; init; }

    /// <summary>The timing parameters the board file marks free for <c>hiltuner calibrate</c> (its <c>timing.free</c> list).</summary>
    public IReadOnlyList<string> FreeTiming { get; init; } = [];

    /// <summary>The key of the section <c>hiltuner calibrate</c> writes (what was fitted, from which logs, how well).</summary>
    public const string CalibrationKey = "calibration";

    /// <summary>The <c>calibration</c> section as written (informational: nothing reads its values).</summary>
    public JsonElement? Calibration { get; init; }

    /// <summary>The <c>link</c> section (SSH or serial settings) as written; the board bridge interprets it.</summary>
    public JsonElement? Link { get; init; }

    /// <summary>The <c>reset</c> section (the reset ladder) as written; the board bridge interprets it.</summary>
    public JsonElement? Reset { get; init; }

    /// <summary>The <c>fpga</c> section: the board's part and its capacity (DSP slices, 36 Kb block RAMs), read by <c>cosearch</c>'s resource check.</summary>
    public JsonElement? Fpga { get; init; }

    /// <summary>The key in the <c>fpga</c> section of the time to load a bitstream (reprogram the fabric), in milliseconds.</summary>
    public const string BitstreamLoadKey = "bitstream_load_ms";

    /// <summary>The longest bitstream load a board file may give: 10 minutes (a full Zynq-7020 bitstream takes about half a second).</summary>
    public const double MaxBitstreamLoadMs = 600_000;

    /// <summary>
    /// Milliseconds to load this board's bitstream into the fabric (<c>fpga.bitstream_load_ms</c>): what switching to this
    /// VTA configuration costs between two layers (<c>hiltuner select</c>); null when the board file does not say.
    /// </summary>
    public double? BitstreamLoadMs { get; init; }

    /// <summary>
    /// What was assumed in reading the file, in one line for the user (a bare <c>vta_config.json</c> takes the rest of
    /// a board from the default board of its TARGET), or null when the file said everything.
    /// </summary>
    public string? Assumption { get; init; }

    /// <summary>The ISA layout of this board's configuration.</summary>
    public IsaLayout Isa => IsaLayout.For(Vta);

    /// <summary>
    /// Board seconds of one call of a program of <paramref name="instructions"/> instructions and
    /// <paramref name="microOpBytes"/> bytes of micro-op kernels that ran <paramref name="cycles"/> accelerator cycles:
    /// the cycles at the fabric clock plus the host's side of the call (<see cref="Timing.TimingModel.Seconds"/>) —
    /// what the simulator reports, and what a board's cycle counter gives.
    /// </summary>
    public double SecondsOf(long cycles, long instructions = 0, long microOpBytes = 0) =>
        new Timing.TimingModel(this).Seconds(cycles, instructions, microOpBytes);

    /// <summary>The embedded default board: the PYNQ configuration on the simulator, no link.</summary>
    public static Board Default => s_default.Value;

    /// <summary>Reads a board file, or the embedded default when <paramref name="path"/> is null.</summary>
    public static Board LoadOrDefault(string? path) => path is null ? Default : Load(path);

    /// <summary>The largest board file read (1 MiB; the real ones are a few KB).</summary>
    public const long MaxFileBytes = InputFile.MiB;

    public static Board Load(string path)
    {
        string text;
        try
        {
            text = InputFile.ReadAllText(path, MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BoardFileException(path, string.Empty, $"cannot be read: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses board-file JSON; <paramref name="source"/> names it in errors.</summary>
    public static Board Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new BoardFileException(source, string.Empty,
                $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }

        using (document)
        {
            var root = new JsonSection(source, string.Empty, document.RootElement);
            if (document.RootElement.TryGetProperty("TARGET", out _) && !document.RootElement.TryGetProperty("vta", out _))
            {
                return FromVtaConfig(root, source);
            }

            var name = root.String("name", MaxNameLength);
            var description = root.OptionalString("description");
            var vta = ReadVta(root.Section("vta"));
            var fabric = ReadFabric(root.Section("fabric"));
            var registers = ReadRegisters(root.Section("registers"));
            var hardware = ReadHardware(root.Section("hardware"), vta);
            var (timing, free) = root.OptionalSection("timing") is { } t ? ReadTiming(t) : (new TimingParameters(), []);
            var link = root.OptionalRaw("link");
            var calibration = root.OptionalRaw(CalibrationKey);
            var reset = root.OptionalRaw("reset");
            var fpga = root.OptionalRaw("fpga");
            var bitstreamLoadMs = root.OptionalSection("fpga") is { } f && f.Has(BitstreamLoadKey)
                ? f.Double(BitstreamLoadKey, 0, 0, MaxBitstreamLoadMs, "ms")
                : (double?)null;
            root.RejectUnknownKeys();
            return new Board
            {
                Name = name,
                Description = description,
                Source = source,
                Vta = vta,
                Fabric = fabric,
                Registers = registers,
                Hardware = hardware,
                Timing = timing,
                FreeTiming = free,
                Calibration = calibration,
                Link = link,
                Reset = reset,
                Fpga = fpga,
                BitstreamLoadMs = bitstreamLoadMs,
            };
        }
    }

    /// <summary>
    /// A bare VTA configuration, as VTA's own <c>config/vta_config.json</c> is written (its keys at the top level):
    /// the configuration is the file's, the rest — fabric clock, registers, hardware limits, timing — the default board
    /// of its TARGET's (<see cref="BoardFileOfTarget"/>), without a link or reset section (a configuration says nothing
    /// about how to reach a board). <c>ACC_DEP_DISTANCE</c> (the Chisel pipeline's accumulator distance) is read and
    /// not used: the simulator follows the HLS design.
    /// </summary>
    private static Board FromVtaConfig(JsonSection root, string source)
    {
        var accDepDistance = root.Int("ACC_DEP_DISTANCE", 0);
        if (accDepDistance < 0)
        {
            throw root.Error("ACC_DEP_DISTANCE", $"{accDepDistance} must not be negative");
        }

        var vta = ReadVta(root);
        var file = BoardFileOfTarget.GetValueOrDefault(vta.Target, DefaultName);
        var basis = file == DefaultName ? Default : Embedded(file);
        var sameConfig = basis.Vta.ConfigString == vta.ConfigString;
        var uopDepth = Math.Min(basis.Hardware.UopBufferDepth, vta.UopBuffDepth);
        return basis with
        {
            Name = sameConfig ? basis.Name : $"{basis.Name}-{vta.ConfigString}",
            Description = $"VTA configuration {vta.ConfigString} from {source}, on {basis.Name}'s fabric, registers, limits and timing",
            Source = source,
            Vta = vta,
            Hardware = basis.Hardware with { UopBufferDepth = uopDepth },
            Link = null,
            Reset = null,
            Assumption = string.Create(CultureInfo.InvariantCulture,
                $"{source}: a bare VTA configuration (TARGET {vta.Target}): clock {basis.Fabric.ClockMhz} MHz, registers, hardware limits and timing assumed from boards/{file} ({basis.Name}){(uopDepth < basis.Hardware.UopBufferDepth ? $", micro-op buffer {uopDepth} deep" : string.Empty)}; no link{(root.Has("ACC_DEP_DISTANCE") ? ", ACC_DEP_DISTANCE not used" : string.Empty)}"),
        };
    }

    private static VtaConfig ReadVta(JsonSection s)
    {
        var target = s.String("TARGET");
        if (!KnownTargets.Contains(target))
        {
            throw s.Error("TARGET", $"unknown target \"{target}\" (VTA knows: {string.Join(", ", KnownTargets)})");
        }

        var config = new VtaConfig
        {
            Target = target,
            HwVer = s.String("HW_VER"),
            LogInpWidth = s.Int("LOG_INP_WIDTH"),
            LogWgtWidth = s.Int("LOG_WGT_WIDTH"),
            LogAccWidth = s.Int("LOG_ACC_WIDTH"),
            LogBatch = s.Int("LOG_BATCH"),
            LogBlock = s.Int("LOG_BLOCK"),
            LogUopBuffSize = s.Int("LOG_UOP_BUFF_SIZE"),
            LogInpBuffSize = s.Int("LOG_INP_BUFF_SIZE"),
            LogWgtBuffSize = s.Int("LOG_WGT_BUFF_SIZE"),
            LogAccBuffSize = s.Int("LOG_ACC_BUFF_SIZE"),
        };
        s.RejectUnknownKeys();

        RequireWidth(s, "LOG_INP_WIDTH", config.LogInpWidth, 3, "8-bit inputs");
        RequireWidth(s, "LOG_WGT_WIDTH", config.LogWgtWidth, 3, "8-bit weights");
        RequireWidth(s, "LOG_ACC_WIDTH", config.LogAccWidth, 5, "32-bit accumulators");
        if (config.LogBatch is < 0 or > 4)
        {
            throw s.Error("LOG_BATCH", $"{config.LogBatch} is out of range (0 to 4: BATCH 1 to 16)");
        }

        if (config.LogBlock is < 1 or > 6)
        {
            throw s.Error("LOG_BLOCK", $"{config.LogBlock} is out of range (1 to 6: BLOCK 2 to 64)");
        }

        RequireDepth(s, "LOG_UOP_BUFF_SIZE", config.LogUopBuffDepth, "micro-op", config.LogUopBuffSize, VtaConfig.LogUopWidth - 3);
        RequireDepth(s, "LOG_INP_BUFF_SIZE", config.LogInpBuffDepth, "input", config.LogInpBuffSize,
            config.LogBatch + config.LogBlockIn + config.LogInpWidth - 3);
        RequireDepth(s, "LOG_WGT_BUFF_SIZE", config.LogWgtBuffDepth, "weight", config.LogWgtBuffSize,
            config.LogBlockOut + config.LogBlockIn + config.LogWgtWidth - 3);
        RequireDepth(s, "LOG_ACC_BUFF_SIZE", config.LogAccBuffDepth, "accumulator", config.LogAccBuffSize,
            config.LogBatch + config.LogBlockOut + config.LogAccWidth - 3);

        try
        {
            _ = IsaLayout.For(config);
        }
        catch (IsaLayoutException e)
        {
            throw s.Error(e.ConfigKey, e.Message);
        }

        return config;
    }

    private static void RequireWidth(JsonSection s, string key, int value, int supported, string what)
    {
        if (value != supported)
        {
            throw s.Error(key, $"{value} is not supported: the simulator implements {what} ({key} = {supported}, as every VTA configuration ships)");
        }
    }

    private static void RequireDepth(JsonSection s, string key, int logDepth, string buffer, int logSize, int logElementBytes)
    {
        if (logDepth < 0)
        {
            throw s.Error(key, $"{logSize} makes the {buffer} buffer smaller than one element " +
                $"(2^{logSize} bytes for {1 << logElementBytes}-byte elements: depth < 1); use at least {logElementBytes}");
        }
    }

    private static Fabric ReadFabric(JsonSection s)
    {
        var clock = s.Double("clock_mhz");
        var bus = s.Int("axi_data_bus_bits");
        s.RejectUnknownKeys();
        if (!(clock is >= 0.001 and <= MaxClockMhz))
        {
            throw s.Error("clock_mhz", $"{clock} must be a frequency in MHz between 0.001 and {MaxClockMhz}");
        }

        if (bus < 32 || (bus & (bus - 1)) != 0)
        {
            throw s.Error("axi_data_bus_bits", $"{bus} must be a power of two of at least 32");
        }

        return new Fabric(clock, bus);
    }

    private static RegisterMap ReadRegisters(JsonSection s)
    {
        var map = new RegisterMap(s.Address("fetch"), s.Address("load"), s.Address("compute"), s.Address("store"));
        s.RejectUnknownKeys();
        foreach (var (key, value) in new[] { ("fetch", map.Fetch), ("load", map.Load), ("compute", map.Compute), ("store", map.Store) })
        {
            if (value % RegisterMap.WindowBytes != 0)
            {
                throw s.Error(key, $"0x{value:X} is not aligned to a 0x{RegisterMap.WindowBytes:X} register window");
            }
        }

        return map;
    }

    private static HardwareLimits ReadHardware(JsonSection s, VtaConfig vta)
    {
        var buildText = s.String("build");
        HardwareBuild build = buildText switch
        {
            "hls" => HardwareBuild.Hls,
            "chisel" => HardwareBuild.Chisel,
            _ => throw s.Error("build", $"unknown hardware build \"{buildText}\" (expected \"hls\" or \"chisel\")"),
        };
        var fullText = s.String("dependency_queue_full");
        DependencyQueueFull full = fullText switch
        {
            "block" => DependencyQueueFull.Block,
            "drop" => DependencyQueueFull.Drop,
            _ => throw s.Error("dependency_queue_full", $"unknown behaviour \"{fullText}\" (expected \"block\" or \"drop\")"),
        };
        var limits = new HardwareLimits
        {
            Build = build,
            UopBufferDepth = s.Int("uop_buffer_depth"),
            DependencyQueueDepth = s.Int("dependency_queue_depth"),
            DependencyQueueFull = full,
            CommandQueueDepth = s.Int("command_queue_depth"),
            AccHazardWindow = s.Int("acc_hazard_window", 2),
        };
        s.RejectUnknownKeys();
        if (limits.UopBufferDepth < 1 || limits.UopBufferDepth > vta.UopBuffDepth)
        {
            throw s.Error("uop_buffer_depth",
                $"{limits.UopBufferDepth} must be between 1 and the ISA's micro-op buffer depth {vta.UopBuffDepth} (from LOG_UOP_BUFF_SIZE {vta.LogUopBuffSize})");
        }

        if (limits.DependencyQueueDepth is < 1 or > MaxQueueDepth)
        {
            throw s.Error("dependency_queue_depth",
                $"{limits.DependencyQueueDepth} must be between 1 and {MaxQueueDepth} (the deepest AXI4-Stream FIFO; VTA's are 1024, the Chisel build's counters 255)");
        }

        if (limits.AccHazardWindow is < 0 or > 16)
        {
            throw s.Error("acc_hazard_window", $"{limits.AccHazardWindow} must be between 0 (no hazard) and 16 micro-ops");
        }

        if (limits.CommandQueueDepth is < MinCommandQueueDepth or > MaxQueueDepth)
        {
            throw s.Error("command_queue_depth",
                $"{limits.CommandQueueDepth} must be between {MinCommandQueueDepth} (the smallest HLS stream) and {MaxQueueDepth} (the deepest AXI4-Stream FIFO; VTA's are 512)");
        }

        return limits;
    }

    /// <summary>
    /// The <c>timing</c> section: each parameter of <see cref="TimingParameterTable"/> under its name (absent: its
    /// default), and <c>free</c>, the names <c>hiltuner calibrate</c> may fit.
    /// </summary>
    private static (TimingParameters Timing, IReadOnlyList<string> Free) ReadTiming(JsonSection s)
    {
        var timing = new TimingParameters();
        foreach (var p in TimingParameterTable.All)
        {
            if (!s.Has(p.Name))
            {
                continue;
            }

            var value = p.IsWhole ? s.Int(p.Name) : s.Double(p.Name);
            if (value < p.Min || value > p.Max)
            {
                throw s.Error(p.Name, !p.IsWhole
                    ? string.Create(CultureInfo.InvariantCulture, $"{value} must be between {p.Min} and {p.Max} {p.Unit}")
                    : value > p.Max ? $"{value} cycles is more than {MaxTimingCycles} (10 ms at 100 MHz for one transfer or instruction)"
                    : p.Min == 0 ? $"{value} must not be negative" : $"{value} must be at least {p.Min}");
            }

            timing = p.With(timing, value);
        }

        IReadOnlyList<string> free = s.Has(TimingParameterTable.FreeKey) ? s.Strings(TimingParameterTable.FreeKey) : [];
        foreach (var name in free)
        {
            if (TimingParameterTable.Find(name) is null)
            {
                throw s.Error(TimingParameterTable.FreeKey, $"\"{name}\" is not a timing parameter (known: {TimingParameterTable.Names})");
            }
        }

        // The bus's shape and the shared port: read here, not fitted (see TimingParameterTable.Structural).
        timing = timing with
        {
            MaxBurstBeats = AtLeastOne(s, "max_burst_beats", timing.MaxBurstBeats, MaxAxiBurstBeats, " (AXI4's longest burst)"),
            MaxOutstandingBursts = AtLeastOne(s, "max_outstanding_bursts", timing.MaxOutstandingBursts, int.MaxValue, string.Empty),
            SharedPort = s.Bool("shared_port", timing.SharedPort),
        };
        s.RejectUnknownKeys();
        return (timing, free.Distinct().ToList());
    }

    private static int AtLeastOne(JsonSection s, string key, int fallback, int max, string why)
    {
        var value = s.Int(key, fallback);
        return value < 1 ? throw s.Error(key, $"{value} must be at least 1")
            : value > max ? throw s.Error(key, $"{value} must be between 1 and {max}{why}")
            : value;
    }

    /// <summary>A board file embedded in this assembly (every file of <c>boards/</c>, by its file name: <c>pynq-z1.json</c>).</summary>
    public static Board Embedded(string file)
    {
        var resource = "HilTuner.Vta.boards." + file;
        using var stream = typeof(Board).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the embedded board {resource} is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "embedded:" + file);
    }
}
