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

    /// <summary>Throws <see cref="WorkloadException"/> when the workload cannot be packed for <paramref name="config"/>.</summary>
    public void RequirePackable(VtaConfig config)
    {
        if (PackingProblem(config) is { } problem)
        {
            throw new WorkloadException($"workload {Name}: {problem}");
        }
    }
}
