using HilTuner.Onnx;
using HilTuner.Tuning.Performance;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Validity.Performance;

namespace HilTuner.Tuning.Models;

/// <summary>
/// LANN (<see cref="PerformanceNetworks.Lann"/>: the same 12 complexity inputs and 5 hidden units, 71 parameters, and
/// <see cref="NetworkTrainer"/>'s training) as what hiltuner learns of a board it does not know: the board's deviation
/// from the timing model, ln(measured / estimate), from the measurements the tuner paid for in this run — its records
/// of the earlier layers (transfer) and the task's own. The target is the residual, not the seconds: the estimate
/// already orders the programs of a layer by their work, and the network only has to learn how the board departs from
/// it (what DMA latency, contention or host overhead add), which its complexity inputs carry from layer to layer.
/// At most <see cref="MaximumRows"/> rows (LANN's budget): the task's latest measurements, then the earlier layers'
/// taken evenly. Trained when the rows reach <see cref="MinimumRows"/>, and again each time the task's measurements
/// have grown by half (and by a batch) since the last fit: about eight fits per layer, so the wall time stays that of a
/// few seconds per layer.
/// </summary>
internal sealed class LannDeviation
{
    /// <summary>Rows (earlier layers' and the task's) before the network is trained at all.</summary>
    public const int MinimumRows = 24;

    /// <summary>LANN's training budget: at most this many rows per fit.</summary>
    public const int MaximumRows = 250;

    /// <summary>The task's measurements added since the last fit before the next one (at least).</summary>
    public const int RefitStep = 8;

    private static readonly int[] Columns = PerformanceModelFormat.Columns(PerformanceNetworks.Lann.Inputs)
        ?? throw new InvalidOperationException("LANN's inputs are program features");

    private readonly List<(float[] Inputs, double Deviation)> _prior;
    private readonly NetworkTrainingOptions _options;
    private MlpRegressor? _network;
    private int _fittedOn = -1;

    /// <param name="programs">The earlier layers' measured programs (rows as <see cref="ProgramFeatures"/>, for the nominal board); those that ran with a time are learnt from.</param>
    /// <param name="seed">The tuner's seed: the fit's random starts, so that the proposals are the same for the same measurements.</param>
    public LannDeviation(IEnumerable<MeasuredProgram> programs, int seed)
    {
        _prior = [.. PerformanceNetworks.Timed(programs).Select(p => (Inputs(p.Features), Math.Log(p.Seconds) - PerformanceModel.LogEstimate(p.Features)))];
        _options = new NetworkTrainingOptions { Seed = seed, Restarts = 3, MaxIterations = 200 };
    }

    /// <summary>Fits made so far.</summary>
    public int Fits { get; private set; }

    /// <summary>
    /// Refits on the task's measured (row, ln(measured / estimate)) pairs with the earlier layers' when a fit is due;
    /// true when it refitted (the predictions changed).
    /// </summary>
    public bool Fit(IReadOnlyList<(float[] Row, double Deviation)> measured)
    {
        var n = measured.Count;
        var due = _fittedOn < 0 || (n >= _fittedOn + RefitStep && 2 * n >= 3 * _fittedOn);
        if (!due || _prior.Count + n < MinimumRows)
        {
            return false;
        }

        var own = measured.Skip(Math.Max(0, n - MaximumRows)).Select(m => (Inputs: Inputs(m.Row), m.Deviation)).ToList();
        var room = MaximumRows - own.Count;
        var earlier = room >= _prior.Count ? _prior : [.. Enumerable.Range(0, room).Select(k => _prior[(int)((long)k * _prior.Count / room)])];
        var rows = earlier.Concat(own).ToList();
        _network = NetworkTrainer.TrainOnLogs(PerformanceNetworks.Lann.Inputs, [.. rows.Select(r => r.Inputs)], [.. rows.Select(r => r.Deviation)], PerformanceNetworks.Lann.Hidden, _options);
        _fittedOn = n;
        Fits++;
        return true;
    }

    /// <summary>The predicted ln(measured / estimate) of a program row; null before the first fit.</summary>
    public double? Predict(ReadOnlySpan<float> row) => _network?.PredictLog(Inputs(row));

    private static float[] Inputs(ReadOnlySpan<float> row)
    {
        var inputs = new float[Columns.Length];
        PerformanceModelFormat.Select(row, Columns, inputs);
        return inputs;
    }
}
