using HilTuner.Tests.Shared;

namespace HilTuner.Edge.Tests;

/// <summary>
/// The board agent (firmware-stubs) built for 32-bit ARM (PYNQ-Z1/Z2, DE10-Nano: static armhf, as <c>make firmware</c>
/// builds it) and for this machine, once per test run; the armhf one runs under qemu-arm. Its <c>predict</c> command
/// evaluates the validity model on a board that has no .NET.
/// </summary>
internal static class ArmAgent
{
    private static readonly Lazy<(string Host, string Armhf, string Qemu)> s_built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string Firmware => Path.Combine(Repository.Root, "firmware-stubs");

    /// <summary>Runs the armhf agent under qemu-arm.</summary>
    public static ProgramRun RunArm(IEnumerable<string> args, TimeSpan timeout) =>
        ExternalProgram.Run(s_built.Value.Qemu, [s_built.Value.Armhf, .. args], timeout);

    /// <summary>Runs the agent built for this machine.</summary>
    public static ProgramRun RunHost(IEnumerable<string> args, TimeSpan timeout) => ExternalProgram.Run(s_built.Value.Host, args, timeout);

    private static (string Host, string Armhf, string Qemu) Build()
    {
        var missing = new List<string>();
        var qemu = ExternalProgram.FindOnPath("qemu-arm");
        if (qemu is null)
        {
            missing.Add("qemu-arm (Debian package qemu-user)");
        }

        if (ExternalProgram.FindOnPath("arm-linux-gnueabihf-gcc") is null)
        {
            missing.Add("arm-linux-gnueabihf-gcc (Debian package gcc-arm-linux-gnueabihf)");
        }

        if (missing.Count > 0)
        {
            Assert.Fail($"the armhf agent cannot be built and run here: missing {string.Join(", ", missing)} (make deps installs them)");
        }

        var make = ExternalProgram.Run("make", ["-s", "-C", Firmware, "build/host/vta-agent", "build/armhf/vta-agent"], TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, make.ExitCode, make.ToString());
        return (Path.Combine(Firmware, "build", "host", "vta-agent"), Path.Combine(Firmware, "build", "armhf", "vta-agent"), qemu!);
    }
}
