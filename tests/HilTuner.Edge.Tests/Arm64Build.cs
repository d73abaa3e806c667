using HilTuner.Tests.Shared;

namespace HilTuner.Edge.Tests;

/// <summary>
/// hiltuner-predict published self-contained for linux-arm64 (once per test run, as <c>make edge</c> publishes it:
/// trimmed, OnnxRuntime as its engine) and
/// run under qemu-aarch64 on Debian's aarch64 runtime libraries (<c>/usr/aarch64-linux-gnu</c>). A machine without
/// the emulator or the libraries fails the test saying what to install: the test is never skipped.
/// </summary>
/// <remarks>
/// Three things the program needs under qemu-user 7.2 (Debian 12) that a real arm64 board has anyway:
/// <list type="bullet">
/// <item>An ARM <c>/proc/cpuinfo</c>. qemu 7.2 shows the guest the host's x86 one, and OnnxRuntime's CPU detection
/// (cpuinfo) crashes on it (SIGSEGV when the runtime library loads). qemu looks a path up under its <c>-L</c> prefix
/// first, so the run uses a prefix of its own: <c>/usr/aarch64-linux-gnu</c>'s folders linked in, and a
/// <c>proc/cpuinfo</c> describing Cortex-A53 cores.</item>
/// <item>OpenSSL for aarch64 (.NET computes SHA-256 with it; the model file carries a SHA-256 checksum). Debian has no
/// arm64-cross package of it: tools/ensure-deps.sh unpacks Debian's libssl3 for arm64 into
/// <see cref="OpenSslDirectory"/>, given to the program as LD_LIBRARY_PATH.</item>
/// <item><c>DOTNET_EnableWriteXorExecute=0</c>. With W^X the runtime writes JIT code through a second, writable
/// mapping that qemu-user does not watch, so qemu may go on running stale translations: about one run in four died
/// with a NullReferenceException inside the runtime; none of eleven with W^X off.</item>
/// </list>
/// </remarks>
internal static class Arm64Build
{
    public const string Sysroot = "/usr/aarch64-linux-gnu";

    /// <summary>Where tools/ensure-deps.sh puts libssl.so.3 and libcrypto.so.3 for aarch64.</summary>
    public const string OpenSslDirectory = "/usr/local/aarch64-linux-gnu/lib";

    /// <summary>What the published program needs from the aarch64 sysroot, and the Debian package holding it.</summary>
    private static readonly (string File, string Package)[] SysrootFiles =
    [
        ("lib/ld-linux-aarch64.so.1", "libc6-arm64-cross"),
        ("lib/libgcc_s.so.1", "libgcc-s1-arm64-cross"),
        ("lib/libstdc++.so.6", "libstdc++6-arm64-cross"),
    ];

    private static readonly Lazy<(string Qemu, string Prefix)> s_emulator = new(PrepareEmulator, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> s_published = new(Publish, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly System.Collections.Concurrent.ConcurrentBag<string> s_prefixes = [];

    /// <summary>How long the publish took (zero until it ran).</summary>
    public static TimeSpan PublishTime { get; private set; }

    /// <summary>The folder holding the published program (<c>hiltuner-predict</c> and its runtime).</summary>
    public static string Directory => s_published.Value;

    /// <summary>Fails the test, saying what to install, when qemu-aarch64 or the aarch64 libraries are missing.</summary>
    public static void RequireEmulator() => _ = s_emulator.Value;

    /// <summary>Runs the arm64 build (or the copy of it in <paramref name="folder"/>) under qemu-aarch64.</summary>
    public static ProgramRun Run(IEnumerable<string> args, TimeSpan timeout, string? folder = null)
    {
        var (qemu, prefix) = s_emulator.Value;
        return ExternalProgram.Run(
            qemu,
            [
                "-L", prefix,
                "-E", "LD_LIBRARY_PATH=" + OpenSslDirectory,
                "-E", "DOTNET_EnableWriteXorExecute=0",
                "-E", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1",
                Path.Combine(folder ?? Directory, "hiltuner-predict"),
                .. args,
            ],
            timeout);
    }

    private static (string Qemu, string Prefix) PrepareEmulator()
    {
        var missing = new List<string>();
        var qemu = ExternalProgram.FindOnPath("qemu-aarch64");
        if (qemu is null)
        {
            missing.Add("qemu-aarch64 (Debian package qemu-user)");
        }

        foreach (var (file, package) in SysrootFiles)
        {
            if (!File.Exists(Path.Combine(Sysroot, file)))
            {
                missing.Add($"{Sysroot}/{file} ({package})");
            }
        }

        foreach (var file in new[] { "libssl.so.3", "libcrypto.so.3" })
        {
            if (!File.Exists(Path.Combine(OpenSslDirectory, file)))
            {
                missing.Add($"{OpenSslDirectory}/{file} (Debian's libssl3 for arm64, unpacked by tools/ensure-deps.sh)");
            }
        }

        if (missing.Count > 0)
        {
            Assert.Fail(
                $"the linux-arm64 build of hiltuner-predict cannot run on this machine: missing {string.Join(", ", missing)}. " +
                "Run tools/ensure-deps.sh (as root): it installs qemu-user, libc6-arm64-cross, libgcc-s1-arm64-cross and libstdc++6-arm64-cross, and unpacks libssl3 for arm64");
        }

        return (qemu!, CreatePrefix());
    }

    /// <summary>A qemu <c>-L</c> prefix: the sysroot's folders, and an ARM <c>/proc/cpuinfo</c> with the host's CPU count.</summary>
    private static string CreatePrefix()
    {
        var prefix = System.IO.Directory.CreateTempSubdirectory("hiltuner-edge-qemu-root-").FullName;
        foreach (var entry in new DirectoryInfo(Sysroot).EnumerateFileSystemInfos())
        {
            File.CreateSymbolicLink(Path.Combine(prefix, entry.Name), entry.FullName);
        }

        var proc = System.IO.Directory.CreateDirectory(Path.Combine(prefix, "proc")).FullName;
        var cpuinfo = new System.Text.StringBuilder();
        for (var cpu = 0; cpu < PresentCpus(); cpu++)
        {
            cpuinfo.Append(System.Globalization.CultureInfo.InvariantCulture, $"processor\t: {cpu}\n").Append(
                "BogoMIPS\t: 200.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid\n" +
                "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd03\nCPU revision\t: 4\n\n");
        }

        File.WriteAllText(Path.Combine(proc, "cpuinfo"), cpuinfo.ToString());
        s_prefixes.Add(prefix);
        return prefix;
    }

    /// <summary>One more than the highest CPU number in <c>/sys/devices/system/cpu/present</c> (e.g. "0-1"), which the guest sees too.</summary>
    private static int PresentCpus()
    {
        try
        {
            var present = File.ReadAllText("/sys/devices/system/cpu/present").Trim();
            return present.Split(',').Select(r => int.Parse(r.Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture)).Max() + 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return Environment.ProcessorCount;
        }
    }

    private static string Publish()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var output = EdgePublish.Publish("linux-arm64");
        PublishTime = clock.Elapsed;
        return output;
    }

    /// <summary>Removes the published folder and the qemu prefix (the intermediate files stay for the next run).</summary>
    public static void Delete()
    {
        // The prefix holds symbolic links to the sysroot: Delete removes the links, not what they point to.
        EdgePublish.Delete([.. s_prefixes, .. s_published.IsValueCreated ? [Path.GetDirectoryName(s_published.Value)!] : Array.Empty<string>()]);
    }
}
