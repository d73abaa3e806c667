using System.CommandLine;
using HilTuner.Cli.Commands;
using HilTuner.Vta.Config;

namespace HilTuner.Cli;

/// <summary>The <c>hiltuner</c> command.</summary>
public static class Hiltuner
{
    /// <summary>Exit code for bad input (unknown option, unreadable board file, malformed workload…).</summary>
    public const int BadInput = 2;

    /// <summary>Exit code when the board cannot be reached or brought back (link lost, host key refused, reset ladder exhausted).</summary>
    public const int BoardUnavailable = 3;

    public static int Run(string[] args, CliContext context)
    {
        var root = new RootCommand("HilTuner: hardware-in-the-loop auto-tuning of DNN operators for the VTA accelerator")
        {
            IsaCommand.Create(context),
            WorkloadsCommand.Create(context),
            SpaceCommand.Create(context),
            SimCommand.Create(context),
            TuneCommand.Create(context),
            LogCommand.Create(context),
            CalibrateCommand.Create(context),
            ModelCommand.Create(context),
            BenchCommand.Create(context),
            BoardCommand.Create(context),
            DeviceCommand.Create(context),
            CoSearchCommand.Create(context),
            SelectCommand.Create(context),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unknown command or option: one line with the nearest valid name (the other errors follow from it).
            if (Typos.Explain(parse) is { } typo)
            {
                context.Error.WriteLine($"hiltuner: {typo}");
                return BadInput;
            }

            foreach (var error in parse.Errors)
            {
                context.Error.WriteLine($"hiltuner: {error.Message}");
            }

            return BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is CliException or BoardFileException or Compiler.Workloads.WorkloadException or
                                   Hardware.Replay.GroundTruthException or Tuning.Log.TuningLogException or
                                   Validity.ValidityModelException or Validity.Performance.PerformanceModelException or Onnx.OnnxModelException or
                                   IOException or UnauthorizedAccessException)
        {
            // Each of these names its input (file, workload, option; an I/O error the path it was told to use) and
            // the problem in its message.
            context.Error.WriteLine($"hiltuner: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is Hardware.Bridge.BoardFailureException or Hardware.Bridge.HostKeyException or Hardware.Bridge.LinkLostException)
        {
            // The board, not the input: what was measured before is in the log.
            context.Error.WriteLine($"hiltuner: board: {e.Message}");
            return BoardUnavailable;
        }
    }
}
