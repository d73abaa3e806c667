namespace HilTuner.Compiler.Statuses;

/// <summary>AutoTVM's error numbers (<c>tvm.autotvm.measure.MeasureErrorNo</c>), as they appear in a tuning log.</summary>
public enum MeasureErrorNo
{
    NoError = 0,
    InstantiationError = 1,
    CompileHost = 2,
    CompileDevice = 3,
    RuntimeDevice = 4,
    WrongAnswer = 5,
    BuildTimeout = 6,
    RunTimeout = 7,
    UnknownError = 8,
}
