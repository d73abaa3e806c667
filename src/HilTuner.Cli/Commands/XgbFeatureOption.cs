using System.CommandLine;
using HilTuner.Tuning.Tuners;

namespace HilTuner.Cli.Commands;

/// <summary>The <c>--xgb-feature knob|program</c> option of <c>tune</c> and <c>bench tuners</c> (AutoTVM's <c>feature_type</c>).</summary>
internal static class XgbFeatureOption
{
    public static Option<string> Create() => new("--xgb-feature")
    {
        Description = "What the xgb tuners' cost model sees: program (the compiled program's features without the timing estimate, AutoTVM's itervar) or knob (the knob values)",
        HelpName = "knob|program",
        DefaultValueFactory = _ => "program",
    };

    public static XgbFeatureKind Get(ParseResult parse, Option<string> option) => parse.GetValue(option) switch
    {
        "program" => XgbFeatureKind.Program,
        "knob" => XgbFeatureKind.Knob,
        var other => throw new CliException($"--xgb-feature must be knob or program, not \"{other}\""),
    };
}
