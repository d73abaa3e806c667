using HilTuner.Edge;

return Predict.Run(args, Console.Out, Console.Error);
