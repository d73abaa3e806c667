namespace HilTuner.Edge.Tests;

/// <summary>
/// hiltuner-predict published for linux-arm (PYNQ-Z1/Z2, DE10-Nano) once per test run, as <c>make edge</c> publishes
/// it: framework-dependent IL with the managed evaluator as its engine (the package source serves no .NET runtime for
/// 32-bit ARM, so there is no linux-arm runtime to run it under qemu-arm here). The tests run that very folder with
/// this machine's <c>dotnet</c>, and its engine under qemu-aarch64 in the arm64 build.
/// </summary>
internal static class LinuxArmBuild
{
    private static readonly Lazy<string> s_published = new(() => EdgePublish.Publish("linux-arm"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder holding the published program (<c>hiltuner-predict.dll</c> and its libraries).</summary>
    public static string Directory => s_published.Value;

    /// <summary>Runs the linux-arm folder (or a copy of it in <paramref name="folder"/>) with this machine's dotnet.</summary>
    public static ProgramRun Run(IEnumerable<string> args, TimeSpan timeout, string? folder = null) =>
        ExternalProgram.Run("dotnet", [Path.Combine(folder ?? Directory, "hiltuner-predict.dll"), .. args], timeout);

    /// <summary>Removes the published folder and its copies (the intermediate files stay for the next run).</summary>
    public static void Delete()
    {
        if (s_published.IsValueCreated)
        {
            EdgePublish.Delete([Path.GetDirectoryName(s_published.Value)!]);
        }
    }
}
