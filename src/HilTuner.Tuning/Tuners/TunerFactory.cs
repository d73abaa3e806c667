namespace HilTuner.Tuning.Tuners;

/// <summary>The tuners by name.</summary>
public static class TunerFactory
{
    public static IReadOnlyList<string> Names { get; } = ["random", "grid", "ga", "xgb", "xgb-vinit", "ml2", "hiltuner"];

    /// <summary>The tuners that use a validity model and programs of other tasks when they are given.</summary>
    public static IReadOnlyList<string> ValidityAware { get; } = ["xgb-vinit", "ml2", "hiltuner"];

    public static ITuner Create(string name, TunerContext context) => name switch
    {
        "random" => new RandomTuner(context.Space, context.Seed),
        "grid" => new GridTuner(context.Space),
        "ga" => new GaTuner(context.Space, context.Seed),
        "xgb" => new XgbTuner(context.Space, context.Seed),
        "xgb-vinit" => new XgbVinitTuner(context),
        "ml2" => new Ml2Tuner(context),
        "hiltuner" => new ValidityFirstTuner(context),
        _ => throw new ArgumentException($"unknown tuner \"{name}\" (known: {string.Join(", ", Names)})"),
    };
}
