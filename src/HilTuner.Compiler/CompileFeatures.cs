using HilTuner.Compiler.Lowering;
using HilTuner.Vta.Timing;

namespace HilTuner.Compiler;

/// <summary>A compile feature's name and meaning.</summary>
public sealed record FeatureInfo(string Name, string Description);

/// <summary>
/// What is known about a compiled program without running it, for the performance and validity models:
/// instruction mix, micro-ops, DMA traffic, SRAM occupancy, dependency tokens, parallelism and the timing
/// model's estimate. The names and their order are stable: models store them.
/// </summary>
public sealed class CompileFeatures
{
    /// <summary>Every feature, in the stable order of <see cref="Values"/>.</summary>
    public static IReadOnlyList<FeatureInfo> Definitions { get; } =
    [
        new("insn_total", "instructions in the stream, FINISH included"),
        new("insn_load_inp", "LOAD INP instructions (input tiles)"),
        new("insn_load_wgt", "LOAD WGT instructions (weight tiles)"),
        new("insn_load_uop", "LOAD UOP instructions (micro-op kernels brought into the micro-op buffer)"),
        new("insn_load_acc", "LOAD ACC instructions (bias tiles)"),
        new("insn_gemm", "GEMM instructions, accumulator resets included"),
        new("insn_alu", "ALU instructions"),
        new("insn_store", "STORE instructions"),
        new("insn_sync", "synchronisation-only instructions (x_size = 0)"),
        new("uop_words", "micro-ops in the program's micro-op segment"),
        new("uop_kernel_max", "micro-ops of the largest kernel"),
        new("gemm_uop_iterations", "micro-op iterations of the accumulating GEMMs (one 1×BLOCK·BLOCK×BLOCK product each)"),
        new("alu_uop_iterations", "micro-op iterations of the ALU instructions"),
        new("dma_bytes_inp", "bytes loaded into the input buffer (padding excluded)"),
        new("dma_bytes_wgt", "bytes loaded into the weight buffer"),
        new("dma_bytes_acc", "bytes loaded into the accumulator buffer"),
        new("dma_bytes_uop", "bytes of micro-ops loaded"),
        new("dma_bytes_out", "bytes stored"),
        new("sram_inp_occupancy", "fraction of the input buffer the schedule allocates (all virtual threads)"),
        new("sram_wgt_occupancy", "fraction of the weight buffer the schedule allocates"),
        new("sram_acc_occupancy", "fraction of the accumulator buffer the schedule allocates"),
        new("sram_uop_occupancy", "fraction of the micro-op buffer the runtime's cache reaches"),
        new("tokens_l2g", "dependency tokens pushed load → compute"),
        new("tokens_g2l", "dependency tokens pushed compute → load"),
        new("tokens_g2s", "dependency tokens pushed compute → store"),
        new("tokens_s2g", "dependency tokens pushed store → compute"),
        new("virtual_threads", "virtual threads (oc_nthread × h_nthread)"),
        new("tiles", "output tiles"),
        new("arithmetic_intensity", "multiply-accumulates per byte moved by DMA"),
        new("est_cycles_load", "timing model: cycles the load module is busy"),
        new("est_cycles_compute", "timing model: cycles the compute module is busy"),
        new("est_cycles_store", "timing model: cycles the store module is busy"),
        new("est_cycles", "timing model: the busiest module's cycles (perfect overlap)"),
        new("est_seconds", "timing model: est_cycles at the board's clock"),
        new("dma_rows_load", "DMA rows the load module moves (input and weight rows)"),
        new("dma_rows_compute", "DMA rows the compute module moves (accumulator rows and micro-op kernels)"),
        new("dma_rows_store", "DMA rows stored"),
        new("dma_bursts", "AXI bursts of every DMA row (each instruction's rows counted as its first)"),
        new("est_cycles_critical", "timing model: cycles to the last instruction's end with the waits for tokens and full command queues (ModuleSchedule)"),
        new("est_call_cycles", "timing model: est_cycles_critical plus the host's side of a call (launch, instructions, copies) in cycles of the board's clock"),
    ];

    private readonly double[] _values;

    internal CompileFeatures(double[] values) => _values = values;

    /// <summary>
    /// Features as a log keeps them (name → value). Every defined feature must be present; names the definitions
    /// do not know are ignored (a log from a later compiler may have more).
    /// </summary>
    public static CompileFeatures FromNamed(IReadOnlyDictionary<string, double> named)
    {
        var values = new double[Definitions.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!named.TryGetValue(Definitions[i].Name, out values[i]))
            {
                throw new KeyNotFoundException($"compile feature \"{Definitions[i].Name}\" is missing");
            }
        }

        return new CompileFeatures(values);
    }

    /// <summary>The features by name, as a log keeps them.</summary>
    public IReadOnlyDictionary<string, double> ToNamed() =>
        Definitions.Select((d, i) => KeyValuePair.Create(d.Name, _values[i])).ToDictionary();

    /// <summary>The values in the order of <see cref="Definitions"/>.</summary>
    public IReadOnlyList<double> Values => _values;

    public double this[string name]
    {
        get
        {
            for (var i = 0; i < Definitions.Count; i++)
            {
                if (Definitions[i].Name == name)
                {
                    return _values[i];
                }
            }

            throw new KeyNotFoundException($"no compile feature \"{name}\"");
        }
    }

    internal static CompileFeatures From(ProgramBuilder.Counters c, SramUse sram, int threads, long tiles, long macs, TimingModel timing)
    {
        var secondsPerCycle = timing.SecondsPerCycle;
        var call = timing.Seconds(c.CyclesCritical, c.Instructions, (long)sram.UopWords * Vta.Config.VtaConfig.MicroOpBytes) / secondsPerCycle;
        var dmaBytes = c.BytesInp + c.BytesWgt + c.BytesAcc + c.BytesUop + c.BytesOut;
        var estimate = Math.Max(c.CyclesLoad, Math.Max(c.CyclesCompute, c.CyclesStore));
        return new CompileFeatures(
        [
            c.Instructions, c.LoadInp, c.LoadWgt, c.LoadUop, c.LoadAcc, c.Gemm, c.Alu, c.Stores, c.Syncs,
            sram.UopWords, c.UopKernelMax, c.GemmIterations, c.AluIterations,
            c.BytesInp, c.BytesWgt, c.BytesAcc, c.BytesUop, c.BytesOut,
            sram.Inp, sram.Wgt, sram.Acc, sram.Uop,
            c.TokensL2g, c.TokensG2l, c.TokensG2s, c.TokensS2g,
            threads, tiles, dmaBytes == 0 ? 0 : (double)macs / dmaBytes,
            c.CyclesLoad, c.CyclesCompute, c.CyclesStore, estimate, estimate * secondsPerCycle,
            c.RowsLoad, c.RowsCompute, c.RowsStore, c.DmaBursts, c.CyclesCritical, call,
        ]);
    }
}
