using HilTuner.Compiler;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;
using HilTuner.Onnx;
using HilTuner.Tuning.Measure;
using HilTuner.Tuning.ValidityTraining;

namespace HilTuner.Tuning.Models;

/// <summary>
/// ModelV while tuning: the prior model (a file, or trained on other tasks) until the task's own measurements hold
/// enough of both outcomes, then the mean of the prior and a model refit on those measurements.
/// </summary>
internal sealed class OnlineValidity(IValidityModel? prior, int seed, int minimumPerClass = 3)
{
    private static readonly ValidityTrainingOptions Online = new() { Trees = 30, Leaves = 8, MinimumExamplesPerLeaf = 1, LearningRate = 0.3 };

    private readonly List<MeasuredProgram> _examples = [];
    private CalibratedTreeHead? _head;
    private int _fittedOn;

    /// <summary>The threshold: the prior's, or 0.5 without one.</summary>
    public double Threshold => prior?.Threshold ?? 0.5;

    public bool HasModel => prior is not null || _head is not null;

    public void Add(float[] row, MeasureStatus status)
    {
        if (MeasuredProgram.Informative(status))
        {
            _examples.Add(new MeasuredProgram(row, status, 0));
        }
    }

    /// <summary>Refits the task's own model when new examples came and both outcomes have enough of them.</summary>
    public void Refit()
    {
        var failed = _examples.Count(e => e.Failed);
        if (_examples.Count == _fittedOn || failed < minimumPerClass || _examples.Count - failed < minimumPerClass)
        {
            return;
        }

        _head = ValidityTrainer.TrainFailHead(_examples, Online with { Seed = seed });
        _fittedOn = _examples.Count;
    }

    /// <summary>Probability of failure of each row; 0 when nothing is known yet.</summary>
    public double[] Probabilities(float[] rows, int count)
    {
        var width = ProgramFeatures.Count;
        var result = prior?.FailureProbabilities(rows, count) ?? new double[count];
        if (_head is { } head)
        {
            for (var i = 0; i < count; i++)
            {
                var own = head.ComputeProbability(rows.AsSpan(i * width, width));
                result[i] = prior is null ? own : (result[i] + own) / 2;
            }
        }

        return result;
    }
}
