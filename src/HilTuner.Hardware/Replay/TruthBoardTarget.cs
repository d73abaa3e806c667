using HilTuner.Compiler;
using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Statuses;
using HilTuner.Vta.Config;
using MathNet.Numerics.Distributions;

namespace HilTuner.Hardware.Replay;

/// <summary>
/// A truth board: a board of the nominal board's VTA configuration whose timing the tuners do not know. It answers
/// every measurement with its own simulator's result (read from its ground-truth tables, which that simulator measured
/// once) times multiplicative noise of mean 1 and coefficient of variation <see cref="NoiseCv"/> (log-normal), drawn
/// reproducibly from the run's seed, the configuration and how often it was measured. It reports the nominal board
/// as its <see cref="Board"/>: what a tuner learns of the truth, it learns from the measured results alone.
/// </summary>
public sealed class TruthBoardTarget : ITarget
{
    private readonly ReplayTarget _truth;
    private readonly double _sigma;
    private readonly int _seed;
    private readonly Dictionary<(string Workload, long Index), int> _times = [];

    /// <param name="nominal">The board the tuners compile, estimate and gate with.</param>
    /// <param name="truth">The board that answers; its VTA configuration must be the nominal's (<see cref="RequireSameConfiguration"/>).</param>
    /// <param name="tables">The truth board's ground truth of the workloads measured.</param>
    public TruthBoardTarget(Board nominal, Board truth, IEnumerable<GroundTruthTable> tables, double noiseCv, int seed)
    {
        RequireSameConfiguration(nominal, truth);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseCv);
        Board = nominal;
        Truth = truth;
        NoiseCv = noiseCv;
        _truth = new ReplayTarget(truth, tables);
        _sigma = Math.Sqrt(Math.Log(1 + (noiseCv * noiseCv)));
        _seed = seed;
    }

    public string Kind => "replay";

    /// <summary>The nominal board (what the tuners know).</summary>
    public Board Board { get; }

    /// <summary>The board whose simulator answers.</summary>
    public Board Truth { get; }

    public double NoiseCv { get; }

    /// <summary>A truth board measures the nominal board's programs only when both have one VTA configuration.</summary>
    public static void RequireSameConfiguration(Board nominal, Board truth)
    {
        if (truth.Vta != nominal.Vta)
        {
            throw new GroundTruthException(
                $"{truth.Source}: truth board {truth.Name} has VTA configuration {truth.Vta.TargetModel}, the nominal board {nominal.Name} {nominal.Vta.TargetModel}; a truth board differs in timing only");
        }
    }

    public Measurement Measure(VtaProgram program, OperatorTensors tensors, MeasureOptions options)
    {
        var m = _truth.Measure(program, tensors, options);
        if (m.Status != MeasureStatus.Ok || _sigma == 0)
        {
            return m;
        }

        int time;
        lock (_times)
        {
            var key = (program.Workload.Name, program.Configuration.Index);
            _times[key] = time = _times.GetValueOrDefault(key) + 1;
        }

        // Log-normal of mean 1: exp(σz − σ²/2), z a standard normal from a uniform that a hash of the draw's key gives.
        var u = (SplitMix(SplitMix(SplitMix(SplitMix((ulong)_seed) ^ (ulong)StableHash(program.Workload.Name)) ^ (ulong)program.Configuration.Index) ^ (ulong)time) >> 11) * (1.0 / (1UL << 53));
        var costs = m.Costs.Select((c, k) => c * Math.Exp((_sigma * Normal.InvCDF(0, 1, Math.Clamp(Fraction(u, k), 1e-12, 1 - 1e-12))) - (_sigma * _sigma / 2))).ToArray();
        return m with { Costs = costs, Seconds = costs.Average() };
    }

    /// <summary>SplitMix64's step: consecutive keys give unrelated outputs (seeding System.Random with them does not).</summary>
    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>The k-th uniform of a draw: the first is <paramref name="u"/>, the others hashed from it.</summary>
    private static double Fraction(double u, int k) =>
        k == 0 ? u : (SplitMix(BitConverter.DoubleToUInt64Bits(u) + (ulong)k) >> 11) * (1.0 / (1UL << 53));

    /// <summary>A hash of a name that does not change between processes (string.GetHashCode does).</summary>
    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
