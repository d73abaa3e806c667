using HilTuner.Vta.Isa;

namespace HilTuner.Vta.Timing;

/// <summary>
/// The timing model's critical path of an instruction stream: fetch hands instructions out in order (the first after its
/// latency, then one every <see cref="TimingModel.FetchCyclesPerInstruction"/>, waiting while the target module's command queue is
/// full), each module takes its own instructions in order and decodes them (their fixed cost), and an instruction that
/// pops a token runs no earlier than the matching push (the end of the pushing instruction plus the token latency), as
/// the simulator's execution units do. Unlike the per-module sums of the
/// closed-form estimate it sees the waits for tokens and for a full command queue; like them it does not see the
/// shared memory port (rows of two modules overlapping in time), which only the simulator arbitrates.
/// </summary>
public static class ModuleSchedule
{
    /// <summary>
    /// Cycles from the launch to the last instruction's end, <paramref name="cycles"/>[i] being what instruction
    /// <paramref name="words"/>[i] costs on its module (<see cref="InstructionRouting.ModuleOf"/>).
    /// </summary>
    public static long CriticalPath(IReadOnlyList<InstructionWord> words, IReadOnlyList<long> cycles, TimingModel timing, IsaLayout layout, int commandQueueDepth)
    {
        if (words.Count != cycles.Count)
        {
            throw new ArgumentException($"{words.Count} instructions and {cycles.Count} costs");
        }

        var depth = Math.Max(1, commandQueueDepth);

        // Per module (load, compute, store): when it is free, and when it took each of its instructions so far (a
        // command queue slot frees when the module takes its instruction, before it waits for tokens).
        var free = new long[3];
        var taken = new List<long>[] { [], [], [] };
        var tokens = new Queue<long>[4];
        for (var q = 0; q < tokens.Length; q++)
        {
            tokens[q] = new Queue<long>();
        }

        var next = timing.FetchLatency;
        var end = next;
        for (var i = 0; i < words.Count; i++)
        {
            var module = InstructionRouting.ModuleOf(words[i]);
            var m = Index(module);
            var mine = taken[m];
            var dispatch = next;
            if (mine.Count >= depth)
            {
                dispatch = Math.Max(dispatch, mine[mine.Count - depth]);
            }

            next = dispatch + timing.FetchCyclesPerInstruction;
            var flags = layout.DecodeDependencies(words[i]);
            var take = Math.Max(free[m], dispatch);
            mine.Add(take);

            // The module decodes the instruction (its fixed cost) while it waits for the tokens it pops.
            var overhead = Math.Min(cycles[i], timing.Overhead(layout, words[i]));
            var start = take + overhead;
            foreach (var pop in (ReadOnlySpan<DependencyFlags>)[DependencyFlags.PopPrev, DependencyFlags.PopNext])
            {
                if ((flags & pop) != 0 && InstructionRouting.QueueFor(module, pop) is { } queue && tokens[(int)queue].TryDequeue(out var pushed))
                {
                    start = Math.Max(start, pushed + timing.TokenLatency);
                }
            }

            free[m] = start + cycles[i] - overhead;
            end = Math.Max(end, free[m]);
            foreach (var push in (ReadOnlySpan<DependencyFlags>)[DependencyFlags.PushPrev, DependencyFlags.PushNext])
            {
                if ((flags & push) != 0 && InstructionRouting.QueueFor(module, push) is { } queue)
                {
                    tokens[(int)queue].Enqueue(free[m]);
                }
            }
        }

        return end;
    }

    private static int Index(VtaModule module) => module switch
    {
        VtaModule.Load => 0,
        VtaModule.Store => 2,
        _ => 1,
    };
}
