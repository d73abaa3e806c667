using HilTuner.Compiler.Workloads;
using HilTuner.Onnx;
using HilTuner.Tuning.Performance;
using HilTuner.Validity.Performance;
using HilTuner.Vta.Config;
using MathNet.Numerics.LinearAlgebra;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class PerformanceNetworkTests
{
    /// <summary>A board of the default's VTA configuration whose time differs: one shared memory port, bounded bursts, costlier opcodes.</summary>
    internal const string TruthBoardJson = """
        {
          "name": "truth-test",
          "vta": { "TARGET": "pynq", "HW_VER": "0.0.2", "LOG_INP_WIDTH": 3, "LOG_WGT_WIDTH": 3, "LOG_ACC_WIDTH": 5, "LOG_BATCH": 0,
                   "LOG_BLOCK": 4, "LOG_UOP_BUFF_SIZE": 15, "LOG_INP_BUFF_SIZE": 15, "LOG_WGT_BUFF_SIZE": 18, "LOG_ACC_BUFF_SIZE": 17 },
          "fabric": { "clock_mhz": 100, "axi_data_bus_bits": 64 },
          "registers": { "fetch": "0x43C00000", "load": "0x43C01000", "compute": "0x43C02000", "store": "0x43C03000" },
          "hardware": { "build": "hls", "uop_buffer_depth": 8192, "dependency_queue_depth": 1024, "dependency_queue_full": "block",
                        "command_queue_depth": 512, "acc_hazard_window": 2 },
          "timing": { "dma_latency_cycles": 40, "fetch_latency_cycles": 30, "instruction_overhead_cycles": 6, "load_overhead_cycles": 20,
                      "store_overhead_cycles": 20, "shared_port": true, "launch_overhead_us": 35 }
        }
        """;

    private static readonly Board s_truthBoard = Board.Parse(TruthBoardJson, "truth-test.json");

    private static readonly Lazy<IReadOnlyList<PredictorSample>> s_samples = new(() =>
        PredictorBenchmark.Measure([.. new[] { "resnet18.C9", "resnet18.C10", "resnet18.C11" }.Select(WorkloadRegistry.Resolve)], Board.Default, s_truthBoard, perLayer: 40, seed: 1));

    [TestMethod]
    public void LannHasFewerThan75ParametersAndThePlainNetworkTheSameBudget()
    {
        Assert.AreEqual(71, PerformanceNetworks.Lann.Parameters);
        Assert.IsLessThan(75, PerformanceNetworks.Ffnn.Parameters);
        Assert.IsGreaterThanOrEqualTo(PerformanceNetworks.Lann.Parameters, PerformanceNetworks.Ffnn.Parameters);
        Assert.IsGreaterThan(150, PerformanceNetworks.FfnnLarge.Parameters);

        var network = PerformanceNetworks.Train(PerformanceNetworks.Lann, [.. s_samples.Value.Take(30).Select(s => s.Measured)], Board.Default);
        Assert.AreEqual(PerformanceNetworks.Lann.Parameters, network.Parameters);
        Assert.AreEqual((12 * 5) + 5 + 5 + 1, network.Parameters);
        Assert.IsTrue(PerformanceNetworks.Lann.Inputs.All(i => i.StartsWith("compile.", StringComparison.Ordinal)), "complexity terms of the compiled program only");
    }

    [TestMethod]
    public void TheAnalyticGradientIsTheLossesSlope()
    {
        var random = new Random(4);
        const int n = 20, d = 3, h = 4;
        var x = Matrix<double>.Build.Dense(n, d, (_, _) => random.NextDouble() - 0.5);
        var t = Vector<double>.Build.Dense(n, _ => random.NextDouble());
        var p = Vector<double>.Build.Dense(MlpRegressor.ParameterCount(d, h), _ => random.NextDouble() - 0.5);
        var (_, gradient) = NetworkTrainer.LossAndGradient(p, x, t, h, l2: 0.01);
        for (var k = 0; k < p.Count; k++)
        {
            var up = p.Clone();
            var down = p.Clone();
            up[k] += 1e-6;
            down[k] -= 1e-6;
            var slope = (NetworkTrainer.LossAndGradient(up, x, t, h, 0.01).Loss - NetworkTrainer.LossAndGradient(down, x, t, h, 0.01).Loss) / 2e-6;
            Assert.AreEqual(slope, gradient[k], 1e-5, $"parameter {k}");
        }
    }

    [TestMethod]
    public void LannPredictsHeldOutConfigurationsBetterThanTheRawEstimate()
    {
        var samples = s_samples.Value;
        var scores = PredictorBenchmark.Run(samples, Board.Default, [60], seed: 2);
        var lann = scores.Single(s => s.Predictor == "lann");
        var estimate = scores.Single(s => s.Predictor == "estimate");
        var plain = scores.Single(s => s.Predictor == "ffnn");
        Assert.IsLessThan(estimate.Mape, lann.Mape, $"lann {lann.Mape:P1}, estimate {estimate.Mape:P1}");
        Assert.IsLessThan(plain.Mape, lann.Mape, $"lann {lann.Mape:P1}, ffnn {plain.Mape:P1} (its budget is at least lann's: {plain.Parameters})");
        Assert.IsLessThan(0.15, lann.Mape);
        Assert.AreEqual(3, lann.MapePerLayer.Count);
        Assert.AreEqual(samples.Count - 60, lann.HeldOut);
    }

    [TestMethod]
    public void TheSavedModelRunsInOnnxRuntimeAsTheTrainingSideEvaluatesIt()
    {
        var samples = s_samples.Value;
        var network = PerformanceNetworks.Train(PerformanceNetworks.Lann, [.. samples.Take(50).Select(s => s.Measured)], Board.Default);
        var path = Path.Combine(Path.GetTempPath(), $"hiltuner-lann-{Guid.NewGuid():N}.onnx");
        try
        {
            network.Save(path);
            using var predictor = PerformancePredictor.Open(path, Board.Default);
            var onnx = predictor.Seconds([.. samples.Select(s => s.Row)]);
            for (var i = 0; i < samples.Count; i++)
            {
                var expected = network.Predict(PerformanceNetworks.Lann.Select(samples[i].Row));
                Assert.AreEqual(expected, onnx[i], 1e-5 * expected, $"sample {i}");
            }

            Assert.AreEqual("lann", predictor.Info.GetString(PerformanceModelFormat.PredictorKey));
            Assert.AreEqual("50", predictor.Info.GetString(PerformanceModelFormat.TrainingRowsKey));
            var other = Board.Parse(TruthBoardJson.Replace("\"LOG_INP_BUFF_SIZE\": 15", "\"LOG_INP_BUFF_SIZE\": 14", StringComparison.Ordinal), "other.json");
            var e = Assert.ThrowsExactly<PerformanceModelException>(() => PerformancePredictor.Open(path, other));
            StringAssert.Contains(e.Message, "trained for VTA configuration");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
