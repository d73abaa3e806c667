namespace HilTuner.Tuning.Tuners;

/// <summary>
/// What the command line and the benchmarks know of a tuner: its name (as <c>--tuner</c> takes it and logs record it),
/// whether it uses the priors — a validity model and programs of other tasks — when they are given
/// (<see cref="UsesPriors"/>: the validity-aware tuners), whether it takes transfer (<c>--transfer</c>: its models
/// learn from other tasks' records, through <see cref="ITuner.Transfer"/> or its priors), and how to make one.
/// </summary>
public sealed record TunerDescriptor(string Name, bool UsesPriors, bool TakesTransfer, Func<TunerContext, ITuner> Create);

/// <summary>The tuners by name.</summary>
public static class TunerFactory
{
    public static IReadOnlyList<TunerDescriptor> Descriptors { get; } =
    [
        new("random", UsesPriors: false, TakesTransfer: false, c => new RandomTuner(c.Space, c.Seed)),
        new("grid", UsesPriors: false, TakesTransfer: false, c => new GridTuner(c.Space)),
        new("ga", UsesPriors: false, TakesTransfer: false, c => new GaTuner(c.Space, c.Seed)),
        new("xgb", UsesPriors: false, TakesTransfer: true, c => new XgbTuner(c)),
        new("xgb-vinit", UsesPriors: true, TakesTransfer: true, c => new XgbVinitTuner(c)),
        new("ml2", UsesPriors: true, TakesTransfer: true, c => new Ml2Tuner(c)),
        new("hiltuner", UsesPriors: true, TakesTransfer: true, c => new ValidityFirstTuner(c)),
        new(ValidityFirstTuner.LannName, UsesPriors: true, TakesTransfer: true, c => new ValidityFirstTuner(c, DeviationModel.Lann)),
    ];

    public static IReadOnlyList<string> Names { get; } = Descriptors.Select(d => d.Name).ToList();

    /// <summary>The tuner of that name; null for a name no tuner has.</summary>
    public static TunerDescriptor? Find(string name) => Descriptors.FirstOrDefault(d => d.Name == name);

    public static ITuner Create(string name, TunerContext context) =>
        (Find(name) ?? throw new ArgumentException($"unknown tuner \"{name}\" (known: {string.Join(", ", Names)})")).Create(context);
}
