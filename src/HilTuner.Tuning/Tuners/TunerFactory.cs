using HilTuner.Compiler.Space;

namespace HilTuner.Tuning.Tuners;

/// <summary>The tuners by name.</summary>
public static class TunerFactory
{
    public static IReadOnlyList<string> Names { get; } = ["random", "grid", "ga", "xgb"];

    public static ITuner Create(string name, ConfigSpace space, int seed) => name switch
    {
        "random" => new RandomTuner(space, seed),
        "grid" => new GridTuner(space),
        "ga" => new GaTuner(space, seed),
        "xgb" => new XgbTuner(space, seed),
        _ => throw new ArgumentException($"unknown tuner \"{name}\" (known: {string.Join(", ", Names)})"),
    };
}
