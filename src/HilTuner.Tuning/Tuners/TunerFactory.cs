namespace HilTuner.Tuning.Tuners;

/// <summary>The tuners by name.</summary>
public static class TunerFactory
{
    public static IReadOnlyList<string> Names { get; } = ["random", "grid", "ga", "xgb"];

    public static ITuner Create(string name, TunerContext context) => name switch
    {
        "random" => new RandomTuner(context.Space, context.Seed),
        "grid" => new GridTuner(context.Space),
        "ga" => new GaTuner(context.Space, context.Seed),
        "xgb" => new XgbTuner(context.Space, context.Seed),
        _ => throw new ArgumentException($"unknown tuner \"{name}\" (known: {string.Join(", ", Names)})"),
    };
}
