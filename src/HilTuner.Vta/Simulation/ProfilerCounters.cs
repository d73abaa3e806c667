namespace HilTuner.Vta.Simulation;

/// <summary>
/// The counters VTA's functional simulator keeps (<c>vta.simulator.profiler_status</c>): bytes moved per buffer
/// (padding excluded) and micro-op iterations executed (reset GEMMs not counted).
/// </summary>
public sealed record ProfilerCounters
{
    public long InpLoadNbytes { get; internal set; }
    public long WgtLoadNbytes { get; internal set; }
    public long AccLoadNbytes { get; internal set; }
    public long UopLoadNbytes { get; internal set; }
    public long OutStoreNbytes { get; internal set; }
    public long GemmCounter { get; internal set; }
    public long AluCounter { get; internal set; }

    /// <summary>The counters under fsim's JSON names.</summary>
    public IReadOnlyDictionary<string, long> ToDictionary() => new Dictionary<string, long>
    {
        ["inp_load_nbytes"] = InpLoadNbytes,
        ["wgt_load_nbytes"] = WgtLoadNbytes,
        ["acc_load_nbytes"] = AccLoadNbytes,
        ["uop_load_nbytes"] = UopLoadNbytes,
        ["out_store_nbytes"] = OutStoreNbytes,
        ["gemm_counter"] = GemmCounter,
        ["alu_counter"] = AluCounter,
    };
}
