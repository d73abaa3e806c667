using HilTuner.Cli;

return Hiltuner.Run(args, new CliContext(Console.In, Console.Out, Console.Error));
