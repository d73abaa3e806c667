using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using HilTuner.Hardware.CoSim;

namespace HilTuner.Cli.Commands;

/// <summary>
/// <c>hiltuner device</c>: the co-simulation device — the silicon of a simulated board. It maps the shared memory file
/// the agent maps instead of <c>/dev/mem</c>, and answers the agent's register writes by running the programs on the
/// bit-level simulator until it is stopped (Ctrl+C, SIGTERM).
/// </summary>
internal static class DeviceCommand
{
    public static Command Create(CliContext context)
    {
        var shm = new Option<string>("--shm") { Description = "The shared memory file (the agent's --mem), created if missing", HelpName = "FILE", Required = true };
        var board = BoardOption.Create();
        var cycleCounter = new Option<string?>("--cycle-counter") { Description = "Where to write the simulated cycle count (the agent's --cycle-counter); default: fetch base + 0x10000 (HLS), VCR + 0x04 (Chisel); none: no counter", HelpName = "ADDR|none" };
        var resetRegister = new Option<string?>("--reset-reg") { Description = "The PL reset register to watch (the agent's --reset-reg); default 0xF8000240 on pynq, none elsewhere", HelpName = "ADDR|none" };
        var resetAssert = new Option<string?>("--reset-assert") { Description = "The value that means reset asserted (the agent's --reset-assert, default 0xF)", HelpName = "V" };
        var offset = new Option<string?>("--dev-addr-offset") { Description = "Bus address of physical address 0 (the agent's --dev-addr-offset; default 0x80000000 on de10nano, 0 elsewhere)", HelpName = "ADDR" };
        var command = new Command("device", """
            Run the co-simulation device: map the shared memory file (file offset = physical address), watch VTA's start
            registers at the board's module addresses, run each launched program on the bit-level simulator over the same
            DRAM, write the results back and raise done. A program that hangs never raises done; a PL reset clears the
            device. Start it before or after `vta-agent --mem FILE`; stop it with Ctrl+C.
            """) { shm, board, cycleCounter, resetRegister, resetAssert, offset };
        command.SetAction(parse =>
        {
            OutputPaths.RequireNotAnInput("--shm", parse.GetValue(shm), ("--board", parse.GetValue(board)));
            var b = BoardOption.Load(parse, board);
            var options = CoSimOptions.For(b);
            if (parse.GetValue(cycleCounter) is { } counter)
            {
                options = options with { CycleCounter = counter == "none" ? null : Address(counter, "--cycle-counter") };
            }

            if (parse.GetValue(resetRegister) is { } reset)
            {
                options = options with { ResetRegister = reset == "none" ? null : Address(reset, "--reset-reg") };
            }

            if (parse.GetValue(resetAssert) is { } value)
            {
                options = options with { ResetAssert = (uint)Address(value, "--reset-assert") };
            }

            if (parse.GetValue(offset) is { } bus)
            {
                options = options with { DeviceAddressOffset = Address(bus, "--dev-addr-offset") };
            }

            var path = parse.GetValue(shm)!;
            SharedMemoryFile memory;
            try
            {
                memory = SharedMemoryFile.Open(path);
            }
            catch (IOException e)
            {
                throw new CliException(e.Message);
            }

            using (memory)
            using (var device = new CoSimDevice(b, memory, options, line => context.Error.WriteLine($"device: {line}")))
            using (var stop = new ManualResetEventSlim())
            {
                using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, s => { s.Cancel = true; stop.Set(); });
                using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, s => { s.Cancel = true; stop.Set(); });
                device.Start();
                string Hex(ulong? a) => a is { } x ? "0x" + x.ToString("X", CultureInfo.InvariantCulture) : "none";
                context.Error.WriteLine($"device: ready: {b.Name} ({b.Vta.TargetModel}, {b.Hardware.Build}) on {path}; registers fetch {Hex(b.Registers.Fetch)}, " +
                    $"compute {Hex(b.Registers.Compute)}; cycle counter {Hex(options.CycleCounter)}; reset register {Hex(options.ResetRegister)}");
                stop.Wait();
                context.Error.WriteLine($"device: stopped after {device.Runs} runs ({device.Hangs} never finished, {device.Resets} resets)");
            }

            return 0;
        });
        return command;
    }

    private static ulong Address(string text, string option) =>
        (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) ? hex : (ulong?)null
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) ? dec : null)
        ?? throw new CliException($"{option} {text}: not an address (a number or 0x… hex)");
}
