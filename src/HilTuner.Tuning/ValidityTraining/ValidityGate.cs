using HilTuner.Compiler;
using HilTuner.Tuning.Measure;
using HilTuner.Validity;
using HilTuner.Vta.Config;

namespace HilTuner.Tuning.ValidityTraining;

/// <summary>A validity model file as the measurement pipeline's gate and as a tuner's prior.</summary>
public sealed class ValidityGate(ValidityPredictor predictor) : IValidityModel, IDisposable
{
    public ValidityPredictor Predictor { get; } = predictor;

    public string Name => Path.GetFileName(Predictor.Path);

    public double Threshold => Predictor.Threshold;

    public IReadOnlyList<double> FailureProbabilities(Board board, IReadOnlyList<VtaProgram> programs) => Predictor.FailureProbabilities(board, programs);

    public double[] FailureProbabilities(ReadOnlySpan<float> rows, int count) => Predictor.FailureProbabilities(rows, count);

    public void Dispose() => Predictor.Dispose();
}
