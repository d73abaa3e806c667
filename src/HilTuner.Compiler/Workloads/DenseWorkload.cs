using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Workloads;

/// <summary>A fully connected layer (batch × in_features by out_features), scheduled by <c>dense_packed.vta</c>.</summary>
public sealed record DenseWorkload(string Name, int Batch, int InFeatures, int OutFeatures) : Workload(Name)
{
    public override string Operator => "dense";

    public override string TemplateName => "dense_packed.vta";

    public override long MultiplyAccumulates => (long)Batch * InFeatures * OutFeatures;

    public override string Shape => $"{Batch}×{InFeatures} · ({OutFeatures}×{InFeatures})ᵀ → {Batch}×{OutFeatures}";

    public override string? PackingProblem(VtaConfig config)
    {
        if (Batch % config.Batch != 0)
        {
            return $"batch {Batch} is not a multiple of BATCH {config.Batch}";
        }

        if (InFeatures % config.BlockIn != 0 || OutFeatures % config.BlockOut != 0)
        {
            return $"features {InFeatures}→{OutFeatures} are not multiples of BLOCK {config.BlockIn}";
        }

        return null;
    }

    public DenseWorkload Validated()
    {
        foreach (var (field, value) in new[] { ("batch", Batch), ("in_features", InFeatures), ("out_features", OutFeatures) })
        {
            if (value < 1)
            {
                throw new WorkloadException($"workload {Name}: {field} is {value}, it must be at least 1");
            }
        }

        return this;
    }
}
