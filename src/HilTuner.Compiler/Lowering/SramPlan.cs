using HilTuner.Vta.Config;

namespace HilTuner.Compiler.Lowering;

/// <summary>
/// The per-virtual-thread tiles a schedule allocates in each SRAM scope, checked against the scope's size as
/// TVM's storage pass checks them ("Allocation exceed bound of memory tag local.…_buffer"). Virtual threads
/// replicate every tile.
/// </summary>
internal readonly record struct SramPlan(int InpTile, int WgtTile, int AccTile, int Threads, string InpFormula, string WgtFormula, string AccFormula)
{
    public void Check(VtaConfig config)
    {
        Require("local.inp_buffer", "input", InpTile, InpFormula, config.InpBuffDepth, config.InpElemBytes);
        Require("local.wgt_buffer", "weight", WgtTile, WgtFormula, config.WgtBuffDepth, config.WgtElemBytes);
        Require("local.acc_buffer", "accumulator", AccTile, AccFormula, config.AccBuffDepth, config.AccElemBytes);
    }

    public SramUse Use(VtaConfig config, int uopHighWater, int uopWords) => new(
        (double)InpTile * Threads / config.InpBuffDepth,
        (double)WgtTile * Threads / config.WgtBuffDepth,
        (double)AccTile * Threads / config.AccBuffDepth,
        (double)uopHighWater / config.UopBuffDepth,
        uopWords);

    private void Require(string scope, string buffer, int tile, string formula, int depth, int elementBytes)
    {
        var need = (long)tile * Threads;
        if (need > depth)
        {
            var threads = Threads > 1 ? $" × {Threads} virtual threads" : string.Empty;
            throw new CompileError(CompileErrorKind.SramOverflow,
                $"allocation exceeds {scope}: the {buffer} buffer needs {need} elements ({formula} = {tile}{threads}; {need * elementBytes} bytes) " +
                $"but holds {depth} ({(long)depth * elementBytes} bytes)");
        }
    }
}
