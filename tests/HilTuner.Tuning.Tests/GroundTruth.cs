using System.Collections.Concurrent;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.Session;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Statuses;
using HilTuner.Compiler.Workloads;
using HilTuner.Hardware;
using HilTuner.Tuning.Tuners;
using HilTuner.Vta.Config;
using HilTuner.Tests.Shared;

namespace HilTuner.Tuning.Tests;

/// <summary>
/// Every configuration of a workload's space compiled for the default board and measured on the simulator of the
/// default board — or of a truth board whose timing differs (<see cref="On"/>) — once per test run: what the tuners
/// are checked against. Tuners always see the default board (their task and builder).
/// </summary>
internal sealed class GroundTruth
{
    private static readonly ConcurrentDictionary<string, Lazy<GroundTruth>> Cache = new();

    private GroundTruth(Workload workload, Board truth)
    {
        Workload = workload;
        Task = new TuningTask(workload, Repository.UncalibratedBoard, seed: 1);
        Space = Task.Space;
        var tensors = OperatorTensors.Random(workload, seed: 1);
        using var targets = new ThreadLocal<SimTarget>(() => new SimTarget(truth));
        Gflops = new double[Space.Size];
        Statuses = new MeasureStatus[Space.Size];
        Parallel.For(0, (int)Space.Size, i =>
        {
            var build = Builder.Build(workload, Space.Get(i), Repository.UncalibratedBoard);
            var m = build.Program is { } program
                ? targets.Value!.Measure(program, tensors, MeasureOptions.Default)
                : new Measurement { Status = MeasureStatus.CompileError };
            Statuses[i] = m.Status;
            Gflops[i] = m.Status == MeasureStatus.Ok ? workload.Operations / m.Costs.Average() / 1e9 : 0;
        });
    }

    public Workload Workload { get; }
    public TuningTask Task { get; }
    public ConfigSpace Space { get; }

    /// <summary>Compiles each configuration once for all the tests of a run.</summary>
    public static CachingBuilder Builder { get; } = new(LocalBuilder.Instance);

    public TunerContext Context(int seed) => new(Task, seed, Builder);

    public ITuner Tuner(string name, int seed) => TunerFactory.Create(name, Context(seed));
    public double[] Gflops { get; }
    public MeasureStatus[] Statuses { get; }

    public double Best => Gflops.Max();

    public static GroundTruth Of(string workload) =>
        Cache.GetOrAdd(workload, w => new Lazy<GroundTruth>(() => new GroundTruth(WorkloadRegistry.Resolve(w), Repository.UncalibratedBoard))).Value;

    /// <summary>The workload measured on <paramref name="truth"/> (named <paramref name="truthName"/> in the cache).</summary>
    public static GroundTruth On(string workload, string truthName, Board truth) =>
        Cache.GetOrAdd($"{workload}@{truthName}", _ => new Lazy<GroundTruth>(() => new GroundTruth(WorkloadRegistry.Resolve(workload), truth))).Value;

    public TrialOutcome Outcome(Configuration c) => new(c, Statuses[c.Index], Gflops[c.Index])
    {
        Features = Builder.Build(Workload, c, Repository.UncalibratedBoard).Program?.Features,
    };

    /// <summary>
    /// Drives <paramref name="tuner"/> as the tuning session does (batches of <paramref name="batch"/>, outcomes
    /// told after each batch) for <paramref name="budget"/> trials; returns the best GFLOPS after each trial.
    /// Fails the test if the tuner proposes anything twice.
    /// </summary>
    public double[] Drive(ITuner tuner, int budget, int batch = 8) => Drive(tuner, budget, out _, batch);

    /// <inheritdoc cref="Drive(ITuner, int, int)"/>
    public double[] Drive(ITuner tuner, int budget, out long[] order, int batch = 8)
    {
        var seen = new HashSet<long>();
        var sequence = new List<long>();
        var curve = new List<double>();
        var best = 0.0;
        while (curve.Count < budget && tuner.HasNext)
        {
            var proposed = tuner.NextBatch(Math.Min(batch, budget - curve.Count));
            if (proposed.Count == 0 && TunerFactory.Find(tuner.Name) is { UsesPriors: true })
            {
                break;
            }

            Assert.IsNotEmpty(proposed, $"{tuner.Name} had more to propose but proposed nothing");
            foreach (var c in proposed)
            {
                Assert.IsTrue(seen.Add(c.Index), $"{tuner.Name} proposed configuration {c.Index} twice");
                sequence.Add(c.Index);
                best = Math.Max(best, Gflops[c.Index]);
                curve.Add(best);
            }

            tuner.Update(proposed.Select(Outcome).ToList());
        }

        order = [.. sequence];
        return curve.ToArray();
    }
}
