using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Workloads;

/// <summary>A fully connected layer (batch × in_features by out_features), scheduled by <c>dense_packed.vta</c>.</summary>
public sealed record DenseWorkload(string Name, int Batch, int InFeatures, int OutFeatures) : Workload(Name)
{
    public override string Operator => "dense";

    public override string TemplateName => "dense_packed.vta";

    public override long MultiplyAccumulates => (long)Batch * InFeatures * OutFeatures;

    public override string Shape => $"{Batch}×{InFeatures} · ({OutFeatures}×{InFeatures})ᵀ → {Batch}×{OutFeatures}";

    public override string? PackingProblem(VtaConfig config) =>
        BatchProblem(Batch, config) ?? BlockProblem("features", InFeatures, OutFeatures, config);

    public DenseWorkload Validated()
    {
        RequireDimension("batch", Batch);
        RequireDimension("in_features", InFeatures);
        RequireDimension("out_features", OutFeatures);
        RequireTensorSize("input", (long)Batch * InFeatures);
        RequireTensorSize("weights", (long)OutFeatures * InFeatures);
        RequireTensorSize("output", (long)Batch * OutFeatures);
        return this;
    }
}
