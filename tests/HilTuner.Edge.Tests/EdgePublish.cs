using HilTuner.Tests.Shared;

namespace HilTuner.Edge.Tests;

/// <summary>
/// <c>dotnet publish</c> of hiltuner-predict for a board platform, as <c>make edge</c> runs it (the platform's
/// settings live in HilTuner.Edge.csproj), into a temporary folder.
/// </summary>
internal static class EdgePublish
{
    /// <summary>Publishes for <paramref name="rid"/>; returns the folder holding the program. Fails the test when the publish fails.</summary>
    /// <param name="rid">linux-arm64 (self-contained, as make edge publishes it) or linux-arm (framework-dependent).</param>
    public static string Publish(string rid)
    {
        var root = Directory.CreateTempSubdirectory($"hiltuner-edge-{rid}-").FullName;
        var output = Path.Combine(root, rid);
        var log = Path.Combine(root, "publish.log");

        // Intermediate files go to a folder of this test project's own per platform (kept between runs, so a second run
        // is incremental), not to the src projects' obj folders that `dotnet build HilTuner.sln` uses at the same time.
        var artifacts = Path.Combine(AppContext.BaseDirectory, $"edge-{rid}-build");
        string[] publish =
        [
            "publish", Path.Combine(Repository.Root, "src", "HilTuner.Edge", "HilTuner.Edge.csproj"),
            "-c", "Release", "-r", rid, .. rid == "linux-arm64" ? ["--self-contained"] : Array.Empty<string>(),
            "-o", output, "--artifacts-path", artifacts, "--nologo", "-v", "quiet", "-nodeReuse:false",
        ];

        // Through sh so that the output goes to a file: a compiler server started by the build would otherwise keep
        // the test's pipe open after dotnet publish ends.
        var run = ExternalProgram.Run(
            "/bin/sh",
            ["-c", "exec dotnet \"$@\" >\"$0\" 2>&1", log, .. publish],
            TimeSpan.FromMinutes(15),
            new Dictionary<string, string?>
            {
                ["MSBUILDDISABLENODEREUSE"] = "1",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",

                // Set by the dotnet that runs the tests, for its own MSBuild; the nested publish finds its own.
                ["MSBuildExtensionsPath"] = null,
                ["MSBuildSDKsPath"] = null,
                ["MSBUILD_EXE_PATH"] = null,
            });
        if (run.ExitCode != 0)
        {
            var text = File.Exists(log) ? File.ReadAllText(log) : "(no log)";
            Assert.Fail($"dotnet {string.Join(' ', publish)} failed (exit {run.ExitCode}):\n{text[Math.Max(0, text.Length - 4000)..]}");
        }

        var program = Path.Combine(output, "hiltuner-predict.dll");
        Assert.IsTrue(File.Exists(program), $"dotnet publish wrote no {program}");
        return output;
    }

    /// <summary>The engine a published folder's runtimeconfig.json names.</summary>
    public static string? Engine(string folder) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "hiltuner-predict.runtimeconfig.json")))!
            ["runtimeOptions"]!["configProperties"]![Predict.EngineOption]?.GetValue<string>();

    /// <summary>A copy of a published folder whose runtimeconfig.json names <paramref name="engine"/>, beside it.</summary>
    public static string WithEngine(string folder, string engine)
    {
        var copy = folder + "-" + engine;
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)), overwrite: true);
        }

        var config = Path.Combine(copy, "hiltuner-predict.runtimeconfig.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!;
        json["runtimeOptions"]!["configProperties"]![Predict.EngineOption] = engine;
        File.WriteAllText(config, json.ToJsonString());

        return copy; // File.Copy keeps the program's execute bit
    }

    /// <summary>Removes temporary folders (a published folder's root, with its copies); the intermediate files stay.</summary>
    public static void Delete(IEnumerable<string> folders)
    {
        foreach (var folder in folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
