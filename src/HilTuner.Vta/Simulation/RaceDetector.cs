using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Simulation;

/// <summary>
/// Finds pairs of accesses to one SRAM element that no chain of program order and dependency tokens orders
/// (vector clocks, one epoch per instruction; FastTrack's rule). VTA's functional simulator runs the modules
/// one after another and cannot see these; the board runs them concurrently and gets whichever order its
/// timing gives.
/// </summary>
internal sealed class RaceDetector
{
    private readonly Shadow[] _shadows;
    private readonly HashSet<int> _resetReaders = [];
    private readonly Dictionary<(SharedBuffer, RaceKind, int, int), RaceReport> _reports = [];

    public RaceDetector(OnChipMemory sram)
    {
        _shadows = [new Shadow(sram.InpDepth), new Shadow(sram.WgtDepth), new Shadow(sram.AccDepth)];
    }

    public IReadOnlyList<RaceReport> Reports =>
        _reports.Values.OrderBy(r => r.First).ThenBy(r => r.Second).ThenBy(r => r.Buffer).ToList();

    public void Write(SharedBuffer buffer, int start, int count, VtaModule module, int pc, ReadOnlySpan<int> clock)
    {
        var s = _shadows[(int)buffer];
        var me = VectorClock.IndexOf(module);
        var epoch = clock[me];
        for (var e = start; e < start + count; e++)
        {
            CheckLastWrite(s, buffer, RaceKind.WriteAfterWrite, e, me, pc, clock);
            for (var r = 0; r < VectorClock.Width; r++)
            {
                if (r != me && s.ReadEpoch[r][e] > clock[r])
                {
                    Report(buffer, RaceKind.WriteAfterRead, r, s.ReadPc[r][e], me, pc, e);
                }

                s.ReadEpoch[r][e] = 0;
            }

            s.WriteModule[e] = (sbyte)me;
            s.WriteEpoch[e] = epoch;
            s.WritePc[e] = pc;
        }
    }

    /// <summary>Marks instruction <paramref name="pc"/> as a reset GEMM (its reads are reported as such).</summary>
    public void ResetGemm(int pc) => _resetReaders.Add(pc);

    public void Read(SharedBuffer buffer, int start, int count, VtaModule module, int pc, ReadOnlySpan<int> clock)
    {
        var s = _shadows[(int)buffer];
        var me = VectorClock.IndexOf(module);
        var epoch = clock[me];
        for (var e = start; e < start + count; e++)
        {
            CheckLastWrite(s, buffer, RaceKind.ReadAfterWrite, e, me, pc, clock);
            s.ReadEpoch[me][e] = epoch;
            s.ReadPc[me][e] = pc;
        }
    }

    /// <summary>
    /// Reports an access of element <paramref name="e"/> by module <paramref name="me"/> that the element's last write, by
    /// another module, does not happen before (that module's clock as <paramref name="me"/> knows it is older).
    /// </summary>
    private void CheckLastWrite(Shadow s, SharedBuffer buffer, RaceKind kind, int e, int me, int pc, ReadOnlySpan<int> clock)
    {
        var writer = s.WriteModule[e];
        if (writer >= 0 && writer != me && s.WriteEpoch[e] > clock[writer])
        {
            Report(buffer, kind, writer, s.WritePc[e], me, pc, e);
        }
    }

    private void Report(SharedBuffer buffer, RaceKind kind, int firstModule, int first, int secondModule, int second, int element)
    {
        var key = (buffer, kind, first, second);
        var resetRead = buffer != SharedBuffer.Out && (kind == RaceKind.WriteAfterRead ? _resetReaders.Contains(first) : _resetReaders.Contains(second));
        _reports[key] = _reports.TryGetValue(key, out var existing)
            ? existing with { Elements = existing.Elements + 1 }
            : new RaceReport(buffer, kind, ModuleOf(firstModule), first, ModuleOf(secondModule), second, element, 1, resetRead);
    }

    private static VtaModule ModuleOf(int index) => index switch
    {
        0 => VtaModule.Load,
        1 => VtaModule.Compute,
        _ => VtaModule.Store,
    };

    private sealed class Shadow
    {
        public Shadow(int depth)
        {
            WriteModule = new sbyte[depth];
            Array.Fill(WriteModule, (sbyte)-1);
            WriteEpoch = new int[depth];
            WritePc = new int[depth];
            ReadEpoch = [new int[depth], new int[depth], new int[depth]];
            ReadPc = [new int[depth], new int[depth], new int[depth]];
        }

        public sbyte[] WriteModule { get; }
        public int[] WriteEpoch { get; }
        public int[] WritePc { get; }
        public int[][] ReadEpoch { get; }
        public int[][] ReadPc { get; }
    }
}
