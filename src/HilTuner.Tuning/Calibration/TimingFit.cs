using System.Collections.Concurrent;
using HilTuner.Vta.Config;
using HilTuner.Vta.Simulation;
using HilTuner.Vta.Timing;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace HilTuner.Tuning.Calibration;

/// <summary>A fitted parameter set and what the model predicts with it.</summary>
/// <param name="Timing">The board's timing with the free parameters replaced by their fitted values.</param>
/// <param name="Seconds">The model's seconds for each record the fit was given, with <paramref name="Timing"/>.</param>
/// <param name="Iterations">Levenberg–Marquardt's iterations.</param>
/// <param name="Exit">Why the solver stopped.</param>
public sealed record FitResult(TimingParameters Timing, IReadOnlyList<double> Seconds, int Iterations, string Exit);

/// <summary>One held-out record of a leave-one-layer-out run: measured, and predicted by a fit on the other layers.</summary>
public sealed record HeldOut(CalibrationRecord Record, double PredictedSeconds, TimingParameters Timing)
{
    /// <summary>Predicted over measured.</summary>
    public double Ratio => PredictedSeconds / Record.MeasuredSeconds;
}

/// <summary>
/// Fits a board's free timing parameters to measured records. The model's time of a record is the simulator's run of
/// the record's compiled program on the board with the candidate parameters (<see cref="RunResult.Cycles"/> through
/// <see cref="TimingModel.Seconds"/>, i.e. <see cref="RunResult.BoardSeconds"/>); the residual is the log of the model's
/// time over the measured mean cost, so the fit minimises ratio errors and a 1 ms layer weighs as much as a 10 ms one.
/// </summary>
/// <remarks>
/// The solver is MathNet.Numerics' <see cref="LevenbergMarquardtMinimizer"/>. Cycle parameters are whole numbers in
/// the simulator, so the model is piecewise constant in them: a solver's default finite differences (steps of ~1e-6)
/// would see a zero derivative everywhere, and a solver moving by fractions of a cycle would see no change and stop
/// (trading a whole parameter off against a fractional one). So the Jacobian is given to the solver, by central
/// differences taken around the rounded point with whole steps of at least one cycle (5% of the value), over which the
/// model's cycles change as the hardware's would; fractional parameters (host-side seconds) get 5% steps too. And the
/// model the solver sees at a fractional point is the simulator at the rounded point carried along those slopes by
/// the fractional part: continuous, and equal to the simulator at every whole point. The fitted values of whole
/// parameters are rounded.
/// Simulated cycles are cached per record and accelerator parameter set (host-side parameters do not change cycles),
/// so the solver's revisits and the leave-one-out fits' common points cost nothing.
/// </remarks>
public sealed class TimingFit(Board board, IReadOnlyList<CalibrationRecord> records)
{
    private const double RelativeStep = 0.05;
    private readonly ConcurrentDictionary<(int Record, TimingParameters Accelerator), long> _cycles = new();

    public Board Board { get; } = board;

    public IReadOnlyList<CalibrationRecord> Records { get; } = records;

    /// <summary>Simulator runs done so far (cache misses).</summary>
    public int Runs => _cycles.Count;

    /// <summary>The model's seconds for each of <paramref name="which"/> (record indices) with <paramref name="timing"/>.</summary>
    public double[] Seconds(IReadOnlyList<int> which, TimingParameters timing)
    {
        var accelerator = TimingParameterTable.AcceleratorPart(timing);
        var candidate = Board with { Timing = accelerator };
        var missing = which.Distinct().Where(i => !_cycles.ContainsKey((i, accelerator))).ToList();
        Parallel.ForEach(missing, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var run = Records[i].Run(candidate);
            if (run.Status != RunStatus.Finished)
            {
                throw new InvalidOperationException($"{Records[i].Label} does not finish with timing {timing}: {run.Diagnostic}");
            }

            _cycles[(i, accelerator)] = run.Cycles;
        });
        var model = new TimingModel(Board with { Timing = timing });
        return [.. which.Select(i => model.Seconds(_cycles[(i, accelerator)]))];
    }

    /// <summary>Fits <paramref name="free"/> to the records <paramref name="which"/>, starting from <paramref name="start"/>.</summary>
    public FitResult Fit(IReadOnlyList<TimingParameter> free, TimingParameters start, IReadOnlyList<int> which)
    {
        if (which.Count < free.Count)
        {
            throw new ArgumentException($"{which.Count} usable record(s) cannot fit {free.Count} free parameter(s): give more records or fewer --free parameters");
        }

        TimingParameters Apply(Vector<double> p)
        {
            var t = start;
            for (var k = 0; k < free.Count; k++)
            {
                t = free[k].With(t, p[k]);
            }

            return t;
        }

        Vector<double> LogSeconds(TimingParameters t) => Vector<double>.Build.DenseOfEnumerable(Seconds(which, t).Select(s => Math.Log(s)));

        // The model's slope in parameter k around the rounded point: central differences over a whole step.
        Vector<double> Slope(TimingParameters at, int k)
        {
            var c = free[k].Get(at);
            var step = Math.Max(free[k].IsWhole ? 1 : 1e-3, Math.Abs(c) * RelativeStep);
            step = free[k].IsWhole ? Math.Round(step) : step;
            var up = Math.Min(free[k].Max, c + step);
            var down = Math.Max(free[k].Min, c - step);
            return (LogSeconds(free[k].With(at, up)) - LogSeconds(free[k].With(at, down))) / (up - down);
        }

        // The simulator at the rounded point, carried to the fractional one along each whole parameter's slope.
        Vector<double> Model(Vector<double> p, Vector<double> x)
        {
            var at = Apply(p);
            var value = LogSeconds(at);
            for (var k = 0; k < free.Count; k++)
            {
                var fraction = Math.Clamp(p[k], free[k].Min, free[k].Max) - free[k].Get(at);
                if (free[k].IsWhole && fraction != 0)
                {
                    value += Slope(at, k) * fraction;
                }
            }

            return value;
        }

        Matrix<double> Jacobian(Vector<double> p, Vector<double> x)
        {
            var at = Apply(p);
            return Matrix<double>.Build.DenseOfColumnVectors(Enumerable.Range(0, free.Count).Select(k => Slope(at, k)));
        }

        var observedX = Vector<double>.Build.DenseOfEnumerable(which.Select(i => (double)i));
        var observedY = Vector<double>.Build.DenseOfEnumerable(which.Select(i => Math.Log(Records[i].MeasuredSeconds)));
        var objective = ObjectiveFunction.NonlinearModel(Model, Jacobian, observedX, observedY);
        var initial = Vector<double>.Build.DenseOfEnumerable(free.Select(p => p.Get(start)));
        var lower = Vector<double>.Build.DenseOfEnumerable(free.Select(p => p.Min));
        var solver = new LevenbergMarquardtMinimizer(initialMu: 1e-3, gradientTolerance: 1e-12, stepTolerance: 1e-6, functionTolerance: 1e-12, maximumIterations: 60);
        var result = solver.FindMinimum(objective, initial, lowerBound: lower);
        var fitted = Apply(result.MinimizingPoint);
        return new FitResult(fitted, Seconds(which, fitted), result.Iterations, result.ReasonForExit.ToString());
    }

    /// <summary>
    /// Leave one layer out: for each workload, fits <paramref name="free"/> from <paramref name="start"/> to the other
    /// workloads' records and predicts the held-out workload's records.
    /// </summary>
    public IReadOnlyList<HeldOut> LeaveOneLayerOut(IReadOnlyList<TimingParameter> free, TimingParameters start)
    {
        var held = new List<HeldOut>();
        foreach (var layer in Records.Select(r => r.Workload.Name).Distinct())
        {
            var inLayer = Enumerable.Range(0, Records.Count).Where(i => Records[i].Workload.Name == layer).ToList();
            var others = Enumerable.Range(0, Records.Count).Where(i => Records[i].Workload.Name != layer).ToList();
            var fit = Fit(free, start, others);
            var predicted = Seconds(inLayer, fit.Timing);
            held.AddRange(inLayer.Select((i, n) => new HeldOut(Records[i], predicted[n], fit.Timing)));
        }

        return held;
    }
}
