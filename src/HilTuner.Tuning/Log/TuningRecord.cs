using System.Text.Json.Nodes;
using HilTuner.Compiler.Statuses;
using HilTuner.Hardware;

namespace HilTuner.Tuning.Log;

/// <summary>
/// One trial in AutoTVM's v0.2 record format: <c>input</c> (target string, task name, args, kwargs), <c>config</c>
/// (index, code_hash, entity), <c>result</c> (costs in seconds, error_no, all_cost, timestamp), <c>version</c>,
/// <c>tvm_version</c> — and HilTuner's own facts under <c>hiltuner</c>.
/// </summary>
public sealed record TuningRecord
{
    /// <summary>Failed trials' costs, as AutoTVM writes them.</summary>
    public const double FailureCost = 1e9;

    /// <summary>The record format written (AutoTVM's <c>AUTOTVM_LOG_VERSION</c>).</summary>
    public const double FormatVersion = 0.2;

    public required string Target { get; init; }
    public required string TaskName { get; init; }
    public required JsonArray Args { get; init; }
    public JsonObject Kwargs { get; init; } = [];
    public required long Index { get; init; }
    public string? CodeHash { get; init; }
    public required JsonArray Entity { get; init; }

    /// <summary>Seconds per repeat; <c>[1e9]</c> for a failure.</summary>
    public required IReadOnlyList<double> Costs { get; init; }

    public required int ErrorNo { get; init; }

    /// <summary>Host seconds the trial took (build and run), as AutoTVM records it.</summary>
    public required double AllCost { get; init; }

    /// <summary>Unix time of the measurement.</summary>
    public required double Timestamp { get; init; }

    /// <summary>The format the record was read in (0.1 or 0.2); always written as <see cref="FormatVersion"/>.</summary>
    public double Version { get; init; } = FormatVersion;
    public string TvmVersion { get; init; } = "0.8.dev0";

    public HilTunerFacts? Facts { get; init; }

    /// <summary>Identifies the task: target model, task name and arguments (what AutoTVM's history keys on).</summary>
    public string TaskKey => $"{AutoTvmTask.ModelOf(Target)}|{TaskName}|{Args.ToJsonString()}";

    public bool Succeeded => ErrorNo == 0;

    /// <summary>HilTuner's status when the record names one; for AutoTVM's own records the closest to its error number.</summary>
    public MeasureStatus Status => MeasureStatuses.Of(Facts?.Status, ErrorNo);

    /// <summary>The status as a summary shows it: HilTuner's name when the record has one; for AutoTVM's own records <c>ok</c> or <c>error_no N</c>.</summary>
    public string StatusName => Facts?.Status ?? (Succeeded ? MeasureStatus.Ok.JsonName() : $"error_no {ErrorNo}");

    /// <summary>
    /// A failure on a board that a board's own trouble could have caused (a hang, a lost link, a reset) and that was
    /// never attributed to the configuration (logs of earlier versions): a resumed run measures it again, and the
    /// validity data leave it out.
    /// </summary>
    public bool Unattributed =>
        Facts is { TargetKind: "board", Attribution: null } && Status.NeedsAttribution();

    /// <summary>The record as one line of the log, exactly as the log writes it (AutoTVM's v0.2 JSON, as Python writes it).</summary>
    public string ToLogLine() => RecordJson.Write(this);

    /// <summary>Mean cost in seconds (AutoTVM's <c>np.mean(costs)</c>).</summary>
    public double MeanCost => Costs.Count == 0 ? FailureCost : Costs.Average();

    /// <summary>GFLOPS of a successful trial of an operator of <paramref name="operations"/> operations; 0 for a failure.</summary>
    public double Gflops(long operations) => Succeeded && MeanCost > 0 ? operations / MeanCost / 1e9 : 0;
}
