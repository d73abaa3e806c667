using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Hardware.Bridge;
using HilTuner.Vta.Config;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary>
/// <c>hiltuner bench link</c>: what each link costs per measurement, against the simulator target on the same program,
/// measured side by side in one run: upload and download bytes per second, the round trip of a minimal run, and the
/// wall time of a whole measurement.
/// </summary>
internal static class BenchLinkCommand
{
    public static Command Create(CliContext context)
    {
        var boards = new Option<string[]>("--board") { Description = "Board files with a link section (repeat to compare links)", HelpName = "FILE", Required = true, AllowMultipleArgumentsPerToken = true };
        var workload = new Option<string>("--workload") { Description = "The program measured end to end", DefaultValueFactory = _ => "resnet18.C11" };
        var index = new Option<long>("--index") { Description = "Its configuration", DefaultValueFactory = _ => 241 };
        var repeats = new Option<int>("--repeats") { Description = "Repeats of each figure (the median is reported)", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "End with one JSON line of the figures" };
        var command = new Command("link", """
            Measure each board's link against the simulator target: WRITE and READ throughput (bytes/s), the round trip of a
            one-instruction RUN, and the wall time of measuring one configuration end to end (upload, run, read back,
            compare) next to the simulator target measuring the same program.
            """) { boards, workload, index, repeats, json };
        command.SetAction(parse =>
        {
            var n = Math.Max(1, parse.GetValue(repeats));
            var w = WorkloadRegistry.Resolve(parse.GetValue(workload)!);
            var loaded = parse.GetValue(boards)!.Select(BoardOption.Load).ToList();
            var table = new Table().AddColumns("board", "link", "upload MiB/s", "download MiB/s", "minimal run (ms)", "measurement (ms)", "simulator target (ms)", "overhead (ms)", "ratio");
            var figures = new JsonObject();
            foreach (var b in loaded)
            {
                var program = VtaCompiler.Compile(w, Templates.For(w, b.Vta).Get(parse.GetValue(index)), b).Program
                    ?? throw new CliException($"{w.Name} #{parse.GetValue(index)} does not compile on {b.Name}: choose another --index");
                var tensors = OperatorTensors.Random(w, 0);
                var options = new MeasureOptions { Repeat = 1 };
                using var target = BoardTarget.Open(b, line => context.Error.WriteLine(line));
                var client = target.Session.Client;
                var block = new byte[Math.Min(8 << 20, target.Session.Hello!.ArenaBytes)];
                Random.Shared.NextBytes(block);
                var upload = Median(n, () => client.Write(0, block));
                var download = Median(n, () => client.Read(0, block.Length));

                // A one-instruction program (FINISH) at the end of the arena.
                var finish = new byte[16];
                finish[0] = 3;
                var at = target.Session.Hello.ArenaBytes - 16;
                client.Write(at, finish);
                var minimal = Median(n * 4, () => client.Run(at, 1, TimeSpan.FromSeconds(5)));

                var sim = new SimTarget(b);
                var onSim = Median(n, () => sim.Measure(program, tensors, options));
                var onBoard = Median(n, () =>
                {
                    var m = target.Measure(program, tensors, options);
                    if (m.Status != MeasureStatus.Ok)
                    {
                        throw new CliException($"{w.Name} #{program.Configuration.Index} on {b.Name}: {m.Status.JsonName()}: {m.Error}");
                    }
                });
                var mib = block.Length / (1024.0 * 1024.0);
                table.AddRow(
                    Markup.Escape(b.Name), Markup.Escape(target.Session.Link.Describe),
                    F(mib / upload), F(mib / download), F(minimal * 1e3, "0.000"), F(onBoard * 1e3, "0.0"), F(onSim * 1e3, "0.0"), F((onBoard - onSim) * 1e3, "0.0"), F(onBoard / onSim));
                figures[b.Name] = new JsonObject
                {
                    ["link"] = target.Session.Link.Kind,
                    ["upload_bytes_per_s"] = block.Length / upload,
                    ["download_bytes_per_s"] = block.Length / download,
                    ["minimal_run_round_trip_s"] = minimal,
                    ["measurement_s"] = onBoard,
                    ["sim_target_measurement_s"] = onSim,
                    ["overhead_s"] = onBoard - onSim,
                };
            }

            context.Console.Write(table);
            context.Out.WriteLine($"(medians of {n} repeats; the minimal run of {n * 4}; program {w.Name} #{parse.GetValue(index)})");
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(HumanJson.Write(new JsonObject { ["boards"] = figures }));
            }

            return 0;
        });
        return command;
    }

    private static double Median(int repeats, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
}
