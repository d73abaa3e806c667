using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Workloads;

/// <summary>An operator instance to tune: its shapes, and the AutoTVM template that schedules it.</summary>
public abstract record Workload(string Name)
{
    /// <summary><c>conv2d</c> or <c>dense</c>.</summary>
    public abstract string Operator { get; }

    /// <summary>The AutoTVM task name of the template, e.g. <c>conv2d_packed.vta</c>.</summary>
    public abstract string TemplateName { get; }

    /// <summary>Multiply-accumulates of the operator.</summary>
    public abstract long MultiplyAccumulates { get; }

    /// <summary>Operations as AutoTVM and TVM count them: two per multiply-accumulate.</summary>
    public long Operations => 2 * MultiplyAccumulates;

    /// <summary>A one-line description of the shapes.</summary>
    public abstract string Shape { get; }

    /// <summary>Why the workload cannot be packed for <paramref name="config"/>, or null when it can.</summary>
    public abstract string? PackingProblem(VtaConfig config);

    /// <summary>The largest dimension a workload may give (far beyond any layer a VTA board holds).</summary>
    public const int MaxDimension = 1 << 16;

    /// <summary>The most elements one tensor of a workload may have (256 Mi: more than any board's DRAM holds).</summary>
    public const long MaxTensorElements = 1L << 28;

    /// <summary>Why a batch of <paramref name="batch"/> cannot be packed for <paramref name="config"/>; null if it can.</summary>
    protected static string? BatchProblem(int batch, VtaConfig config) =>
        batch % config.Batch != 0 ? $"batch {batch} is not a multiple of BATCH {config.Batch}" : null;

    /// <summary>
    /// Why <paramref name="inner"/> (the reduction dimension, packed by BLOCK_IN) and <paramref name="outer"/> (the output
    /// dimension, packed by BLOCK_OUT), named <paramref name="dimensions"/>, cannot be packed for <paramref name="config"/>,
    /// followed by <paramref name="note"/>; null if they can.
    /// </summary>
    protected static string? BlockProblem(string dimensions, int inner, int outer, VtaConfig config, string note = "") =>
        inner % config.BlockIn != 0 || outer % config.BlockOut != 0
            ? $"{dimensions} {inner}→{outer} are not multiples of BLOCK {config.BlockIn}{note}"
            : null;

    /// <summary>Throws unless <paramref name="value"/> is between <paramref name="minimum"/> and <see cref="MaxDimension"/>.</summary>
    protected void RequireDimension(string field, int value, int minimum = 1)
    {
        if (value < minimum || value > MaxDimension)
        {
            throw new WorkloadException($"workload {Name}: {field} is {value}, it must be at least {minimum}" +
                (value > MaxDimension ? $" and at most {MaxDimension}" : string.Empty));
        }
    }

    /// <summary>Throws unless a tensor of <paramref name="elements"/> elements fits <see cref="MaxTensorElements"/>.</summary>
    protected void RequireTensorSize(string tensor, long elements)
    {
        if (elements > MaxTensorElements)
        {
            throw new WorkloadException($"workload {Name}: the {tensor} tensor would hold {elements} elements, more than the {MaxTensorElements} a workload may have");
        }
    }

    /// <summary>Throws <see cref="WorkloadException"/> when the workload cannot be packed for <paramref name="config"/>.</summary>
    public void RequirePackable(VtaConfig config)
    {
        if (PackingProblem(config) is { } problem)
        {
            throw new WorkloadException($"workload {Name}: {problem}");
        }
    }
}
