using HilTuner.Compiler.Reference;
using HilTuner.Compiler.Space;
using HilTuner.Compiler.Workloads;
using HilTuner.Vta.Config;
using HilTuner.Vta.Isa;
using HilTuner.Vta.Runtime;
using HilTuner.Vta.Simulation;
using HilTuner.Tests.Shared;

namespace HilTuner.Compiler.Tests;

/// <summary>Compiled programs run on the simulator and are compared bit-exact with the reference operator.</summary>
[TestClass]
public sealed class EndToEndTests
{
    /// <summary>
    /// On hardware without the accumulator pipeline hazard, every configuration that compiles and passes the
    /// runtime's checks must produce the reference result exactly, leave no token behind and have no
    /// unordered SRAM access. C11 is run in full; the other layers on an even sample of at least 20.
    /// </summary>
    [TestMethod]
    [DataRow("resnet18.C2")]
    [DataRow("resnet18.C3")]
    [DataRow("resnet18.C4")]
    [DataRow("resnet18.C5")]
    [DataRow("resnet18.C6")]
    [DataRow("resnet18.C7")]
    [DataRow("resnet18.C8")]
    [DataRow("resnet18.C9")]
    [DataRow("resnet18.C10")]
    [DataRow("resnet18.C11")]
    [DataRow("dense.b16x512")]
    public void CompiledConfigurationsComputeTheReferenceOperator(string name)
    {
        var board = Boards.HazardFree;
        var w = WorkloadRegistry.Resolve(name);
        var space = Templates.For(w, board.Vta);
        var compiled = Enumerable.Range(0, (int)space.Size)
            .Select(i => VtaCompiler.Compile(w, space.Get(i), board).Program)
            .Where(p => p is not null && RuntimeChecks.FirstFailure(p.Image, board.Hardware.MaxTransferBytes) is null)
            .Select(p => p!)
            .ToList();
        var sample = name == "resnet18.C11" ? compiled : compiled.Where((_, k) => k % Math.Max(1, compiled.Count / 24) == 0).ToList();
        Assert.IsTrue(sample.Count >= Math.Min(20, compiled.Count) && sample.Count > 0, $"{name}: only {sample.Count} configurations to check");

        var tensors = OperatorTensors.Random(w, seed: 7);
        var expected = tensors.Reference();
        var session = new SimulatorSession(new VtaSimulator(board));
        for (var k = 0; k < sample.Count; k++)
        {
            var program = sample[k];
            var (run, output) = session.Run(program.Image, tensors.Pack(board.Vta), new RunOptions { CheckRaces = k % 4 == 0 });
            var label = $"{name} {program.Configuration}";
            Assert.AreEqual(RunStatus.Finished, run.Status, $"{label}: {run.Diagnostic}");
            Assert.AreEqual(0, run.Warnings.Count, $"{label}: {string.Join("; ", run.Warnings)}");
            var races = run.Races.Where(r => !r.ResetRead).ToList();
            Assert.AreEqual(0, races.Count, $"{label}: {string.Join("; ", races.Take(5))}");
            CollectionAssert.AreEqual(expected, tensors.UnpackOutput(board.Vta, output), label);
        }
    }

    /// <summary>
    /// One timing model: the compiler's estimate of each module's busy cycles (the est_* features) is what the simulator
    /// charges that module while it runs the program, with the same formulas.
    /// </summary>
    [TestMethod]
    [DataRow("resnet18.C11")]
    [DataRow("resnet18.C2")]
    [DataRow("dense.b16x512")]
    public void TheEstimateChargesEachModuleWhatTheSimulatorCharges(string name) => AssertEstimateIsTheSimulatorsBusyCycles(Repository.UncalibratedBoard, name);

    /// <summary>
    /// The same with fixed costs per opcode (vta_cost.py's orders of magnitude) and bursts that wait on the outstanding
    /// bound (so that where each row starts matters): the estimate charges both as the simulator does.
    /// </summary>
    [TestMethod]
    [DataRow("resnet18.C11")]
    [DataRow("resnet18.C2")]
    [DataRow("dense.b16x512")]
    public void TheEstimateChargesPerOpcodeCostsAndBurstsAsTheSimulatorDoes(string name) =>
        AssertEstimateIsTheSimulatorsBusyCycles(Boards.With(j =>
        {
            var t = j["timing"]!;
            t["load_overhead_cycles"] = 150;
            t["store_overhead_cycles"] = 140;
            t["gemm_overhead_cycles"] = 80;
            t["alu_overhead_cycles"] = 46;
            t["max_outstanding_bursts"] = 2;
            t["burst_latency_cycles"] = 60;
        }), name);

    /// <summary>
    /// With one memory port shared by the modules the estimate, which cannot see two modules' rows overlapping, is a
    /// lower bound: of each module's busy cycles (waits for the port included) and of the run's cycles.
    /// </summary>
    [TestMethod]
    [DataRow("resnet18.C2")]
    [DataRow("dense.b16x512")]
    public void WithASharedPortTheEstimateIsALowerBound(string name) =>
        AssertEstimateIsTheSimulatorsBusyCycles(Boards.With(j => j["timing"]!["shared_port"] = true), name, exact: false);

    /// <summary>
    /// The critical path (est_cycles_critical) sees the waits for tokens that the per-module sums cannot: without a shared
    /// port it is the simulator's cycles to within 1%, where the busiest module's sum (est_cycles) falls short; the
    /// call's cycles add the host's side as the simulator's seconds do; the DMA rows are the instructions' y_size.
    /// </summary>
    [TestMethod]
    [DataRow("resnet18.C11")]
    [DataRow("resnet18.C2")]
    [DataRow("dense.b16x512")]
    public void TheCriticalPathIsTheSimulatorsCyclesAndTheRowsTheInstructionsRows(string name)
    {
        var board = Repository.UncalibratedBoard;
        var timing = new Vta.Timing.TimingModel(board);
        var w = WorkloadRegistry.Resolve(name);
        var space = Templates.For(w, board.Vta);
        var tensors = OperatorTensors.Random(w, seed: 7);
        var session = new SimulatorSession(new VtaSimulator(board));
        var checkedRuns = 0;
        var shortOfIt = 0;
        for (var i = 0L; i < space.Size && checkedRuns < 12; i += Math.Max(1, space.Size / 200))
        {
            if (VtaCompiler.Compile(w, space.Get(i), board).Program is not { } program || RuntimeChecks.FirstFailure(program.Image, board.Hardware.MaxTransferBytes) is not null)
            {
                continue;
            }

            var (run, _) = session.Run(program.Image, tensors.Pack(board.Vta));
            Assert.AreEqual(RunStatus.Finished, run.Status, run.Diagnostic);
            var f = program.Features.ToNamed();
            var label = $"{name} #{i}";
            var critical = f["est_cycles_critical"];
            Assert.IsGreaterThanOrEqualTo(f["est_cycles"], critical, label);
            Assert.AreEqual(run.Cycles, critical, 0.01 * run.Cycles, label);
            shortOfIt += f["est_cycles"] < 0.99 * run.Cycles ? 1 : 0;
            var uopBytes = program.Image.MicroOps.Length * (long)VtaConfig.MicroOpBytes;
            Assert.AreEqual(timing.Seconds((long)critical, program.Image.Instructions.Count, uopBytes), f["est_call_cycles"] * timing.SecondsPerCycle, 1e-12, label);

            var rows = new long[3];
            foreach (var word in program.Image.Instructions.Where(x => (Opcode)x.OpcodeBits is Opcode.Load or Opcode.Store))
            {
                var m = MemoryInstruction.Decode(board.Isa, word);
                rows[(int)InstructionRouting.ModuleOf(word) - (int)VtaModule.Load] += m.IsNop ? 0 : m.YSize;
            }

            Assert.AreEqual((rows[0], rows[1], rows[2]), ((long)f["dma_rows_load"], (long)f["dma_rows_compute"], (long)f["dma_rows_store"]), label);
            Assert.IsGreaterThanOrEqualTo(rows.Sum(), (long)f["dma_bursts"], label);
            checkedRuns++;
        }

        Assert.IsGreaterThanOrEqualTo(5, checkedRuns);
        Assert.IsGreaterThan(0, shortOfIt, $"{name}: the busiest module's sum was never short of the run's cycles");
    }

    /// <summary>The host side of a simulated call counts the program's instructions and its micro-op kernels' bytes.</summary>
    [TestMethod]
    public void TheSimulatorsSecondsIncludeTheHostsCopiesOfInstructionsAndMicroOps()
    {
        var board = Boards.With(j =>
        {
            j["timing"]!["host_copy_ns_per_byte"] = 1.5;
            j["timing"]!["host_per_instruction_ns"] = 200;
        });
        var w = WorkloadRegistry.Resolve("resnet18.C11");
        var program = VtaCompiler.Compile(w, Templates.For(w, board.Vta).Get(0), board).Program!;
        var (run, _) = new SimulatorSession(new VtaSimulator(board)).Run(program.Image, OperatorTensors.Random(w, 1).Pack(board.Vta));
        Assert.AreEqual(RunStatus.Finished, run.Status, run.Diagnostic);
        var instructions = (long)program.Image.Instructions.Count;
        var microOpBytes = program.Image.MicroOps.Length * 4L;
        var host = (((instructions * 16) + microOpBytes) * 1.5e-9) + (instructions * 200e-9);
        Assert.AreEqual((run.Cycles * 1e-8) + 20e-6 + host, run.BoardSeconds, 1e-12);
        Assert.IsGreaterThan(0L, microOpBytes);
    }

    private static void AssertEstimateIsTheSimulatorsBusyCycles(Board board, string name, bool exact = true)
    {
        var w = WorkloadRegistry.Resolve(name);
        var space = Templates.For(w, board.Vta);
        var tensors = OperatorTensors.Random(w, seed: 7);
        var session = new SimulatorSession(new VtaSimulator(board));
        var checkedRuns = 0;
        var waited = 0L;
        for (var i = 0L; i < space.Size && checkedRuns < 12; i += Math.Max(1, space.Size / 200))
        {
            if (VtaCompiler.Compile(w, space.Get(i), board).Program is not { } program || RuntimeChecks.FirstFailure(program.Image, board.Hardware.MaxTransferBytes) is not null)
            {
                continue;
            }

            var (run, _) = session.Run(program.Image, tensors.Pack(board.Vta));
            if (run.Status != RunStatus.Finished)
            {
                continue;
            }

            var f = program.Features.ToNamed();
            var label = $"{name} #{i}";
            foreach (var (module, feature) in new[] { (VtaModule.Load, "est_cycles_load"), (VtaModule.Compute, "est_cycles_compute"), (VtaModule.Store, "est_cycles_store") })
            {
                var estimate = (long)f[feature];
                var busy = run.Module(module).BusyCycles;
                if (exact)
                {
                    Assert.AreEqual(estimate, busy, $"{label}: {module}");
                }
                else
                {
                    Assert.IsGreaterThanOrEqualTo(estimate, busy, $"{label}: {module}");
                    waited += busy - estimate;
                }
            }

            if (!exact)
            {
                Assert.IsGreaterThanOrEqualTo((long)f["est_cycles"], run.Cycles, label);
            }

            checkedRuns++;
        }

        Assert.IsGreaterThanOrEqualTo(5, checkedRuns);
        Assert.IsTrue(exact || waited > 0, $"{name}: no module ever waited for the shared port");
    }

    [TestMethod]
    public void TheTimingModelIsCloseToTopHubsPynqMeasurementOfC10()
    {
        // TopHub records 1.081 ms on a PYNQ board for this configuration of C10 (tophub/vta_v0.10.log).
        var w = WorkloadRegistry.Resolve("resnet18.C10");
        var board = Repository.UncalibratedBoard;
        var program = VtaCompiler.Compile(w, Templates.For(w, board.Vta).Get(203), board).Program!;
        var tensors = OperatorTensors.Random(w, 1);
        var (run, output) = new SimulatorSession(new VtaSimulator(board)).Run(program.Image, tensors.Pack(board.Vta));
        CollectionAssert.AreEqual(tensors.Reference(), tensors.UnpackOutput(board.Vta, output));
        Assert.AreEqual(1.081e-3, run.BoardSeconds, 0.15 * 1.081e-3, $"modelled {run.BoardSeconds * 1e3:F3} ms");
    }

    [TestMethod]
    public void VirtualThreadsOverlapTheirTiles()
    {
        var w = WorkloadRegistry.Resolve("resnet18.C11");
        var board = Repository.UncalibratedBoard;
        var space = Templates.For(w, board.Vta);
        long Cycles(int threads)
        {
            var program = VtaCompiler.Compile(w, space.FromKnobs($$"""{"tile_h": 7, "tile_co": 4, "oc_nthread": {{threads}}}"""), board).Program!;
            var tensors = OperatorTensors.Random(w, 1);
            var (run, output) = new SimulatorSession(new VtaSimulator(board)).Run(program.Image, tensors.Pack(board.Vta));
            CollectionAssert.AreEqual(tensors.Reference(), tensors.UnpackOutput(board.Vta, output));
            return run.Cycles;
        }

        var one = Cycles(1);
        var two = Cycles(2);
        Assert.IsTrue(two < one * 0.9, $"two virtual threads should hide load time: {two} vs {one} cycles");
    }
}
