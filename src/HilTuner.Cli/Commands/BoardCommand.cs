using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
using HilTuner.Hardware.Bridge;
using HilTuner.Vta.Config;
using Spectre.Console;

namespace HilTuner.Cli.Commands;

/// <summary><c>hiltuner board info|ping|reset|run</c>: a board's agent, for a person at the bench.</summary>
internal static class BoardCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("board", "Talk to a board's agent through the link of its board file (a person at a bench: is it there, is it healthy, reset it, run one configuration)");
        command.Subcommands.Add(Info(context));
        command.Subcommands.Add(Ping(context));
        command.Subcommands.Add(Reset(context));
        command.Subcommands.Add(Run(context));
        return command;
    }

    private static Option<string> BoardFile() => new("--board") { Description = "The board file, with its link section", HelpName = "FILE", Required = true };

    private static Command Info(CliContext context)
    {
        var board = BoardFile();
        var command = new Command("info", "Connect, and print what the agent says about itself and its counters") { board };
        command.SetAction(parse => WithTarget(context, parse, board, target =>
        {
            var hello = target.Session.Client.Hello();
            var status = target.Session.Client.Status();
            var table = new Table().AddColumns("", "").HideHeaders();
            void Row(string name, object value) => table.AddRow(name, Markup.Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));
            Row("link", target.Session.Link.Describe);
            Row("board id", hello.BoardId);
            Row("agent", hello.AgentVersion);
            Row("target", hello.Target);
            Row("VTA configuration", hello.Config);
            Row("arena", $"{hello.ArenaBytes} bytes");
            Row("instruction capacity", hello.InstructionCapacity);
            Row("max payload", $"{hello.MaxPayload} bytes");
            Row("capabilities", string.Join(", ", new[] { hello.HasCycleCounter ? "cycle counter" : null, hello.HasResetRegister ? "PL reset register" : null, hello.HasBitstreamCommand ? "bitstream reload" : null, hello.SimulatedMemory ? "simulated memory" : null }.OfType<string>()));
            Row("state", status.Hung ? "HUNG (reset it: hiltuner board reset)" : "idle");
            Row("last run", status.LastRun);
            Row("runs / timeouts / refused", $"{status.Runs} / {status.Timeouts} / {status.Refused}");
            Row("frames ok / CRC errors / resyncs / duplicates", $"{status.FramesOk} / {status.CrcErrors} / {status.Resyncs} / {status.Duplicates}");
            Row("resets soft / hard", $"{status.SoftResets} / {status.HardResets}");
            Row("uptime", TimeSpan.FromMilliseconds(status.UptimeMilliseconds).ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture));
            context.Console.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Ping(CliContext context)
    {
        var board = BoardFile();
        var count = new Option<int>("--count") { Description = "Round trips", DefaultValueFactory = _ => 10 };
        var command = new Command("ping", "Round-trip times of STATUS requests to the agent") { board, count };
        command.SetAction(parse => WithTarget(context, parse, board, check: () => RequireCount(parse.GetValue(count)), action: target =>
        {
            var client = target.Session.Client;
            var times = new List<double>();
            for (var i = 0; i < parse.GetValue(count); i++)
            {
                var clock = Stopwatch.StartNew();
                client.Status();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target.Session.Link.Describe} ({target.Session.Hello!.BoardId}): {times.Count} round trips, min {times[0]:0.000} ms, median {times[times.Count / 2]:0.000} ms, max {times[^1]:0.000} ms"));
            return 0;
        }));
        return command;
    }

    private static void RequireCount(int count)
    {
        if (count < 1)
        {
            throw new CliException($"--count must be at least 1, not {count}");
        }
    }

    private static Command Reset(CliContext context)
    {
        var board = BoardFile();
        var hard = new Option<bool>("--hard") { Description = "Hard reset: also zero the arena and reload the bitstream (if the agent has a command for it)" };
        var command = new Command("reset", "Reset the accelerator through the agent (soft by default)") { board, hard };
        command.SetAction(parse => WithTarget(context, parse, board, target =>
        {
            var r = target.Session.Client.Reset(parse.GetValue(hard) ? ResetKind.Hard : ResetKind.Soft);
            var actions = new[] { r.PlResetPulsed ? "PL reset pulsed" : null, r.ArenaZeroed ? "arena zeroed" : null, r.BitstreamReloaded ? $"bitstream reloaded (exit {r.BitstreamStatus})" : null }.OfType<string>().ToList();
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Kind.ToString().ToLowerInvariant()} reset in {r.ElapsedMicroseconds / 1000.0:0.0} ms: {(actions.Count > 0 ? string.Join(", ", actions) : "run state cleared (no PL reset register configured)")}"));
            var problem = target.HealthCheck();
            context.Out.WriteLine(problem is null ? "health check: passed (a known program gave its known answer)" : $"health check: FAILED: {problem}");
            return problem is null ? 0 : 1;
        }));
        return command;
    }

    private static Command Run(CliContext context)
    {
        var board = BoardFile();
        var workload = WorkloadOption.Create();
        var index = new Option<long?>("--index") { Description = "The configuration's AutoTVM index", HelpName = "N" };
        var knobs = new Option<string?>("--knobs") { Description = "The configuration's knob values as JSON", HelpName = "JSON" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds before the run counts as hung", DefaultValueFactory = _ => 10 };
        var command = new Command("run", "Compile one configuration, run it on the board, check its output, and compare with the simulator") { board, workload, index, knobs, timeout };
        command.SetAction(parse => WithTarget(context, parse, board, check: () => TuneCommand.RequireTimeout(parse.GetValue(timeout)), action: target =>
        {
            var w = WorkloadOption.Resolve(parse, workload);
            var space = Templates.For(w, target.Board.Vta);
            var configuration = SimCommand.SelectConfiguration(space, parse.GetValue(index), parse.GetValue(knobs));
            var compiled = VtaCompiler.Compile(w, configuration, target.Board);
            if (compiled.Program is not { } program)
            {
                context.Out.WriteLine($"{w.Name} #{configuration.Index}: compile_error: {compiled.Error!.Message}");
                return 1;
            }

            var tensors = OperatorTensors.Random(w, 0);
            var options = new MeasureOptions { Repeat = 1, TimeoutSeconds = parse.GetValue(timeout) };
            var clock = Stopwatch.StartNew();
            var m = target.Measure(program, tensors, options);
            var wall = clock.Elapsed;
            var sim = new SimTarget(target.Board).Measure(program, tensors, options);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{w.Name} #{configuration.Index} on {target.Session.Hello?.BoardId}: {m.Status.JsonName()}{(m.Error is null ? string.Empty : ": " + m.Error)}"));
            if (m.Status == MeasureStatus.Ok)
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {m.Cycles} cycles, {m.Seconds * 1e3:0.000} ms, {w.Operations / m.Seconds / 1e9:0.00} GFLOPS (simulator: {sim.Status.JsonName()}, {sim.Cycles} cycles); {wall.TotalMilliseconds:0} ms round trip"));
            }

            foreach (var e in target.Events)
            {
                context.Out.WriteLine($"  {e}");
            }

            return m.Status == MeasureStatus.Ok ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Runs <paramref name="action"/> on the board; <paramref name="check"/> first checks the options, before the board is reached.</summary>
    private static int WithTarget(CliContext context, ParseResult parse, Option<string> board, Func<BoardTarget, int> action, Action? check = null)
    {
        check?.Invoke();
        var b = BoardOption.Load(parse.GetValue(board)!);
        using var target = BoardTarget.Open(b, line => context.Error.WriteLine(line));
        target.NextStep = "then run the command again (`hiltuner board info` shows whether the agent answers)"; // no tuning log to resume
        return action(target);
    }
}
