using System.Text.Json.Nodes;
using HilTuner.Compiler;
using HilTuner.Onnx;
using HilTuner.Tests.Shared;
using HilTuner.Tuning.ValidityTraining;
using HilTuner.Vta.Config;

namespace HilTuner.Validity.Tests;

[TestClass]
public sealed class ValidityPredictorTests
{
    [TestMethod]
    public void OnnxRuntimeAgreesWithMlNetOnHeldOutRows()
    {
        using var predictor = ValidityPredictor.Open(TrainedModels.Path, Repository.UncalibratedBoard);
        var mlnet = MlNetValidityModel.Load(TrainedModels.Path).CreateEngine();
        var rows = TrainedModels.HeldOut;
        Assert.IsGreaterThan(200, rows.Length);
        var flat = rows.SelectMany(r => r).ToArray();
        var onnx = predictor.FailureProbabilities(flat, rows.Length);
        var worst = 0.0;
        for (var i = 0; i < rows.Length; i++)
        {
            var expected = mlnet.Predict(new ValidityRow { Features = rows[i] }).Probability;
            worst = Math.Max(worst, Math.Abs(expected - onnx[i]));
            Assert.AreEqual(TrainedModels.Model.FailureProbability(rows[i]), onnx[i], 1e-5, $"row {i}: the in-memory trees disagree");
        }

        Assert.IsLessThanOrEqualTo(1e-5, worst, $"largest difference {worst:E2}");

        // Not a constant model: it tells configurations apart.
        Assert.IsGreaterThan(0.5, onnx.Max());
        Assert.IsLessThan(0.05, onnx.Min());
    }

    [TestMethod]
    public void TheFileCarriesWhatItWasTrainedForAndOn()
    {
        using var predictor = ValidityPredictor.Open(TrainedModels.Path, Repository.UncalibratedBoard);
        var info = predictor.Info;
        Assert.AreEqual(Repository.UncalibratedBoard.Vta.ConfigString, info.GetRequiredString(ValidityModelFormat.VtaConfigKey));
        Assert.AreEqual("validity", info.GetRequiredString(ValidityModelFormat.KindKey));
        Assert.AreEqual(TrainedModels.Model.Threshold, predictor.Threshold, 1e-12);
        Assert.IsGreaterThan(100, info.GetInt64(ValidityModelFormat.TrainingRowsKey));
        CollectionAssert.AreEqual(ProgramFeatures.Names.ToArray(), info.FeatureNames.ToArray());
        Assert.AreEqual(ValidityModelFormat.FailHead, info.HeadNames[0]);
        var classes = JsonNode.Parse(info.GetRequiredString(ValidityModelFormat.ClassCountsKey))!.AsObject();
        Assert.IsTrue(classes["runtime_error"]!.GetValue<int>() > 0 && classes["wrong_answer"]!.GetValue<int>() > 0);
    }

    [TestMethod]
    public void TheThresholdSkipsFewGoodConfigurationsOnHeldOutFolds()
    {
        var validation = TrainedModels.Model.Validation;
        Assert.AreEqual(5, validation.Folds);
        Assert.IsNotNull(validation.GoodSkipped);
        Assert.IsLessThanOrEqualTo(0.02, validation.GoodSkipped!.Value);
        Assert.IsGreaterThan(0.5, validation.FailuresCaught!.Value, "the gate should catch most failures on configurations it did not see");
    }

    [TestMethod]
    public void AModelForAnotherVtaConfigurationIsRefused()
    {
        var json = JsonNode.Parse(File.ReadAllText(Repository.UncalibratedBoardFile))!.AsObject();
        json["vta"]!["LOG_ACC_BUFF_SIZE"] = 16;
        var other = Board.Parse(json.ToJsonString(), "small-acc.json");
        var e = Assert.ThrowsExactly<ValidityModelException>(() => ValidityPredictor.Open(TrainedModels.Path, other));
        StringAssert.Contains(e.Message, TrainedModels.Path);
        StringAssert.Contains(e.Message, $"trained for VTA configuration {Repository.UncalibratedBoard.Vta.ConfigString}");
        StringAssert.Contains(e.Message, other.Vta.ConfigString);
    }

    [TestMethod]
    public void ADamagedOrForeignFileIsRefusedNamingIt()
    {
        var damaged = TrainedModels.NewPath("damaged.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(damaged)!);
        var bytes = File.ReadAllBytes(TrainedModels.Path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(damaged, bytes);
        StringAssert.Contains(Assert.ThrowsExactly<ValidityModelException>(() => ValidityPredictor.Open(damaged, Repository.UncalibratedBoard)).Message, damaged);

        var missing = TrainedModels.NewPath("missing.onnx");
        StringAssert.Contains(Assert.ThrowsExactly<ValidityModelException>(() => ValidityPredictor.Open(missing, Repository.UncalibratedBoard)).Message, missing);

        // A well-formed tree model that is not a validity model.
        var foreign = TrainedModels.NewPath("foreign.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(foreign)!);
        OnnxTreeModelWriter.WriteFile(new CalibratedTreeModel(["a", "b"], [new CalibratedTreeHead("p", [RegressionTreeArrays.SingleLeaf(0)], null, 0, -1, 0)]), foreign);
        StringAssert.Contains(Assert.ThrowsExactly<ValidityModelException>(() => ValidityPredictor.Open(foreign, Repository.UncalibratedBoard)).Message, "not a HilTuner validity model");
    }

    [TestMethod]
    public void TheGateComputesThePFailHeadAloneAndAgreesWithEveryHead()
    {
        using var predictor = ValidityPredictor.Open(TrainedModels.Path, Repository.UncalibratedBoard);
        Assert.IsGreaterThan(1, predictor.Heads.Count, "the model should have class heads to prune");
        var rows = TrainedModels.HeldOut.Take(50).ToArray();
        var gate = predictor.FailureProbabilities(rows.SelectMany(r => r).ToArray(), rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.AreEqual(TrainedModels.Model.FailureProbability(rows[i]), gate[i], 1e-6);
        }
    }
}
