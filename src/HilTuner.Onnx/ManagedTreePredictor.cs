using System.Globalization;
using HilTuner.Onnx.Proto;

namespace HilTuner.Onnx;

/// <summary>
/// Runs a HilTuner calibrated tree-ensemble ONNX file without OnnxRuntime: the file's own graph (the same bytes
/// OnnxRuntime loads) is evaluated in C#, for the boards whose platform OnnxRuntime ships no native library for
/// (32-bit ARM Linux: PYNQ-Z1/Z2, DE10-Nano). It implements the operators the writer uses, with ONNX's semantics as
/// OnnxRuntime runs them in float: ai.onnx.ml <c>TreeEnsembleRegressor</c> (opsets 1–4, one target, SUM, no post
/// transform; every branch mode, NaN to the false branch unless the node's missing value tracks true; the leaf weights
/// of the trees summed in float in tree order, then the base value), then <c>Mul</c>, <c>Add</c>, <c>Sub</c>,
/// <c>Div</c>, <c>Neg</c> and <c>Sigmoid</c> on [batch, 1] values and one-element float initializers. Anything else in
/// the graph the requested heads need is refused with an <see cref="OnnxModelException"/> naming it.
/// </summary>
/// <remarks>
/// Probabilities equal OnnxRuntime's to about 1e-7: the scores are computed with the same float operations in the same
/// order; only the sigmoid differs (OnnxRuntime uses a rational approximation, this the exact function rounded to
/// float). Thread safety: <see cref="Predict(ReadOnlySpan{float}, Span{float})"/> keeps no state between calls and may
/// run on several threads at once.
/// </remarks>
public sealed class ManagedTreePredictor : ICalibratedTreePredictor
{
    /// <summary>The ai.onnx.ml opsets whose TreeEnsembleRegressor this evaluator implements (OnnxRuntime's too).</summary>
    private const long MaxMlOpset = 4;

    private readonly string[] _outputNames;
    private readonly int[] _outputRegisters;
    private readonly float[] _registers;
    private readonly Step[] _steps;

    private ManagedTreePredictor(OnnxModelInfo info, ModelProto model, IReadOnlyList<string>? heads)
    {
        Info = info;
        _outputNames = [.. heads ?? info.HeadNames];
        info.EnsureHeads(_outputNames);
        if (info.Opsets.TryGetValue(OnnxTreeModelFormat.MlDomain, out long mlOpset) && mlOpset > MaxMlOpset)
        {
            throw Refuse($"it imports {OnnxTreeModelFormat.MlDomain} opset {mlOpset}; TreeEnsembleRegressor is defined up to opset {MaxMlOpset}");
        }

        var graph = model.Graph;
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            initializers.TryAdd(tensor.Name, tensor);
        }

        var registers = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<float>();
        var steps = new List<Step>();

        int Read(NodeProto node, string name)
        {
            if (registers.TryGetValue(name, out int register))
            {
                return register;
            }

            if (name == OnnxTreeModelFormat.InputName)
            {
                throw Refuse($"node '{node.Name}' ({node.OpType}) reads the input '{name}'; only TreeEnsembleRegressor may");
            }

            if (!initializers.TryGetValue(name, out var tensor))
            {
                throw Refuse($"node '{node.Name}' reads '{name}', which no earlier node computes");
            }

            values.Add(Scalar(tensor));
            registers.Add(name, values.Count - 1);
            return values.Count - 1;
        }

        foreach (var node in OnnxGraphPruner.NodesComputing(graph, _outputNames).Nodes)
        {
            if (node.Output.Count != 1)
            {
                throw Refuse($"node '{node.Name}' ({node.OpType}) has {node.Output.Count} outputs; the managed evaluator takes one");
            }

            Step step;
            if (node.Domain == OnnxTreeModelFormat.MlDomain && node.OpType == "TreeEnsembleRegressor")
            {
                if (node.Input.Count != 1 || node.Input[0] != OnnxTreeModelFormat.InputName)
                {
                    throw Refuse($"node '{node.Name}' (TreeEnsembleRegressor) should read the input '{OnnxTreeModelFormat.InputName}' alone");
                }

                step = new Step(Operation.Trees, 0, 0, 0, TreeEnsemble.Parse(node, info.FeatureCount, this));
            }
            else if (node.Domain is "" or "ai.onnx" && Operations.TryGetValue(node.OpType, out var operation))
            {
                int arity = operation is Operation.Neg or Operation.Sigmoid ? 1 : 2;
                if (node.Input.Count != arity)
                {
                    throw Refuse($"node '{node.Name}' ({node.OpType}) has {node.Input.Count} inputs, not {arity}");
                }

                step = new Step(operation, 0, Read(node, node.Input[0]), arity == 2 ? Read(node, node.Input[1]) : 0, null);
            }
            else
            {
                throw Refuse(
                    $"node '{node.Name}' is the operator {(node.Domain.Length == 0 ? string.Empty : node.Domain + ":")}{node.OpType}, which the managed evaluator does not implement " +
                    "(it runs TreeEnsembleRegressor, Mul, Add, Sub, Div, Neg and Sigmoid)");
            }

            values.Add(0);
            if (!registers.TryAdd(node.Output[0], values.Count - 1))
            {
                throw Refuse($"the value '{node.Output[0]}' is computed twice");
            }

            steps.Add(step with { Target = values.Count - 1 });
        }

        _outputRegisters = [.. _outputNames.Select(h => registers.TryGetValue(h, out int r) ? r : throw Refuse($"no node computes the output '{h}'"))];
        _registers = [.. values];
        _steps = [.. steps];
    }

    private enum Operation : byte
    {
        Trees,
        Mul,
        Add,
        Sub,
        Div,
        Neg,
        Sigmoid,
    }

    private static Dictionary<string, Operation> Operations { get; } = new(StringComparer.Ordinal)
    {
        ["Mul"] = Operation.Mul,
        ["Add"] = Operation.Add,
        ["Sub"] = Operation.Sub,
        ["Div"] = Operation.Div,
        ["Neg"] = Operation.Neg,
        ["Sigmoid"] = Operation.Sigmoid,
    };

    public OnnxModelInfo Info { get; }

    public int FeatureCount => Info.FeatureCount;

    public int HeadCount => _outputNames.Length;

    public IReadOnlyList<string> HeadNames => _outputNames;

    /// <summary>Opens the model file at <paramref name="path"/>; of the options only <see cref="OnnxPredictorOptions.Heads"/> applies.</summary>
    /// <exception cref="OnnxModelException">The file is missing, damaged, not such a model, or uses what this evaluator does not implement.</exception>
    public static ManagedTreePredictor Open(string path, OnnxPredictorOptions? options = null) =>
        Load(OnnxTreeModelReader.ReadFile(path), path, options);

    /// <summary>Opens a model held in memory; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="OnnxModelException">The bytes are damaged, not such a model, or use what this evaluator does not implement.</exception>
    public static ManagedTreePredictor Load(byte[] modelBytes, string sourceName, OnnxPredictorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        options ??= new OnnxPredictorOptions();
        options.Validate();
        var (info, proto) = OnnxTreeModelReader.Read(modelBytes, sourceName);
        return new ManagedTreePredictor(info, proto, options.Heads);
    }

    public void Predict(ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        int rowCount = CalibratedTreePredictor.RowCount(this, rows, probabilities);
        int features = FeatureCount;
        int heads = HeadCount;
        Span<float> registers = _registers.Length <= 256 ? stackalloc float[_registers.Length] : new float[_registers.Length];
        for (int r = 0; r < rowCount; r++)
        {
            var row = rows.Slice(r * features, features);
            _registers.CopyTo(registers);
            foreach (var step in _steps)
            {
                float a = registers[step.A], b = registers[step.B];
                registers[step.Target] = step.Operation switch
                {
                    Operation.Trees => step.Trees!.Evaluate(row),
                    Operation.Mul => a * b,
                    Operation.Add => a + b,
                    Operation.Sub => a - b,
                    Operation.Div => a / b,
                    Operation.Neg => -a,
                    _ => (float)(1.0 / (1.0 + Math.Exp(-(double)a))),
                };
            }

            for (int h = 0; h < heads; h++)
            {
                probabilities[(r * heads) + h] = registers[_outputRegisters[h]];
            }
        }
    }

    public void PredictRow(ReadOnlySpan<float> row, Span<float> headProbabilities)
    {
        CalibratedTreePredictor.CheckRow(this, row);
        Predict(row, headProbabilities);
    }

    /// <summary>Nothing to release (no native session); present for <see cref="ICalibratedTreePredictor"/>.</summary>
    public void Dispose()
    {
    }

    private OnnxModelException Refuse(string problem) => new(Info.Source, problem);

    /// <summary>The value of a one-element float initializer (float_data or little-endian raw_data).</summary>
    private float Scalar(TensorProto tensor)
    {
        long elements = tensor.Dims.Aggregate(1L, (n, d) => n * d);
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float || elements != 1)
        {
            throw Refuse($"the initializer '{tensor.Name}' is not one float (the managed evaluator broadcasts scalars only)");
        }

        if (tensor.FloatData.Count == 1)
        {
            return tensor.FloatData[0];
        }

        return tensor.RawData.Length == sizeof(float)
            ? BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(tensor.RawData.Span))
            : throw Refuse($"the initializer '{tensor.Name}' holds no value");
    }

    /// <summary>One node of the graph: <c>registers[Target] = Operation(registers[A], registers[B])</c>, or the trees' score.</summary>
    private readonly record struct Step(Operation Operation, int Target, int A, int B, TreeEnsemble? Trees);

    /// <summary>
    /// One TreeEnsembleRegressor, its nodes in flat arrays. A tree's root is its first node in the attribute lists
    /// (OnnxRuntime's rule); trees are summed in the order they appear.
    /// </summary>
    private sealed class TreeEnsemble
    {
        private const byte Leaf = 0, Leq = 1, Lt = 2, Gte = 3, Gt = 4, Eq = 5, Neq = 6;

        private static readonly Dictionary<string, byte> Modes = new(StringComparer.Ordinal)
        {
            ["LEAF"] = Leaf,
            ["BRANCH_LEQ"] = Leq,
            ["BRANCH_LT"] = Lt,
            ["BRANCH_GTE"] = Gte,
            ["BRANCH_GT"] = Gt,
            ["BRANCH_EQ"] = Eq,
            ["BRANCH_NEQ"] = Neq,
        };

        private readonly int[] _roots;
        private readonly byte[] _mode;
        private readonly int[] _feature;
        private readonly float[] _threshold;
        private readonly int[] _true;
        private readonly int[] _false;
        private readonly bool[] _missingTrue;
        private readonly float[] _weight;
        private readonly float _base;

        private TreeEnsemble(int[] roots, byte[] mode, int[] feature, float[] threshold, int[] trueNode, int[] falseNode, bool[] missingTrue, float[] weight, float bias)
        {
            _roots = roots;
            _mode = mode;
            _feature = feature;
            _threshold = threshold;
            _true = trueNode;
            _false = falseNode;
            _missingTrue = missingTrue;
            _weight = weight;
            _base = bias;
        }

        /// <summary>The ensemble's score of one row: leaf weights summed in float, tree by tree, then the base value.</summary>
        public float Evaluate(ReadOnlySpan<float> row)
        {
            float score = 0f;
            foreach (int root in _roots)
            {
                int n = root;
                while (_mode[n] != Leaf)
                {
                    float x = row[_feature[n]], t = _threshold[n];
                    bool toTrue = _mode[n] switch
                    {
                        Leq => x <= t,
                        Lt => x < t,
                        Gte => x >= t,
                        Gt => x > t,
                        Eq => x == t,
                        _ => x != t,
                    };
                    if (_missingTrue[n] && float.IsNaN(x))
                    {
                        toTrue = true;
                    }

                    n = toTrue ? _true[n] : _false[n];
                }

                score += _weight[n];
            }

            return score + _base;
        }

        public static TreeEnsemble Parse(NodeProto node, int featureCount, ManagedTreePredictor owner)
        {
            var attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
            foreach (var attribute in node.Attribute)
            {
                if (!attributes.TryAdd(attribute.Name, attribute))
                {
                    throw Problem($"its attribute {attribute.Name} appears twice");
                }
            }

            foreach (string name in attributes.Keys.Where(n => n.EndsWith("_as_tensor", StringComparison.Ordinal) && n != "nodes_hitrates_as_tensor"))
            {
                throw Problem($"it has {name} (double-precision values), which the managed evaluator does not implement");
            }

            long targets = attributes.TryGetValue("n_targets", out var n) ? n.I : 1;
            string post = attributes.TryGetValue("post_transform", out var p) ? p.S.ToStringUtf8() : "NONE";
            string aggregate = attributes.TryGetValue("aggregate_function", out var a) ? a.S.ToStringUtf8() : "SUM";
            if (targets != 1 || post != "NONE" || aggregate != "SUM")
            {
                throw Problem($"it has n_targets {targets}, post_transform {post}, aggregate_function {aggregate}; the managed evaluator implements 1, NONE, SUM");
            }

            var treeIds = Ints("nodes_treeids");
            var nodeIds = Ints("nodes_nodeids");
            var featureIds = Ints("nodes_featureids");
            var values = Floats("nodes_values");
            var modeNames = attributes.TryGetValue("nodes_modes", out var m) ? m.Strings.Select(s => s.ToStringUtf8()).ToList() : [];
            var trueIds = Ints("nodes_truenodeids");
            var falseIds = Ints("nodes_falsenodeids");
            var missing = Ints("nodes_missing_value_tracks_true");
            int count = treeIds.Count;
            if (count == 0 || new[] { nodeIds.Count, featureIds.Count, values.Count, modeNames.Count, trueIds.Count, falseIds.Count }.Any(c => c != count) ||
                (missing.Count != 0 && missing.Count != count))
            {
                throw Problem($"its nodes_* attributes are empty or disagree in length (nodes_treeids has {count})");
            }

            // Global index of each (tree, node); trees in the order they appear, each one run of nodes.
            var index = new Dictionary<(long Tree, long Node), int>();
            var roots = new List<int>();
            var seenTrees = new HashSet<long>();
            for (int i = 0; i < count; i++)
            {
                if (!index.TryAdd((treeIds[i], nodeIds[i]), i))
                {
                    throw Problem(string.Create(CultureInfo.InvariantCulture, $"tree {treeIds[i]} lists node {nodeIds[i]} twice"));
                }

                if (i == 0 || treeIds[i] != treeIds[i - 1])
                {
                    if (!seenTrees.Add(treeIds[i]))
                    {
                        throw Problem(string.Create(CultureInfo.InvariantCulture, $"the nodes of tree {treeIds[i]} are not listed together"));
                    }

                    roots.Add(i);
                }
            }

            var mode = new byte[count];
            var feature = new int[count];
            var trueNode = new int[count];
            var falseNode = new int[count];
            var missingTrue = new bool[count];
            for (int i = 0; i < count; i++)
            {
                string where = string.Create(CultureInfo.InvariantCulture, $"node {nodeIds[i]} of tree {treeIds[i]}");
                if (!Modes.TryGetValue(modeNames[i], out mode[i]))
                {
                    throw Problem($"{where} has the mode '{modeNames[i]}'");
                }

                missingTrue[i] = missing.Count != 0 && missing[i] != 0;
                if (mode[i] == Leaf)
                {
                    continue;
                }

                if (featureIds[i] < 0 || featureIds[i] >= featureCount)
                {
                    throw Problem(string.Create(CultureInfo.InvariantCulture, $"{where} reads feature {featureIds[i]} of {featureCount}"));
                }

                feature[i] = (int)featureIds[i];
                trueNode[i] = index.TryGetValue((treeIds[i], trueIds[i]), out int t) ? t
                    : throw Problem(string.Create(CultureInfo.InvariantCulture, $"{where} has the true branch {trueIds[i]}, which the tree does not have"));
                falseNode[i] = index.TryGetValue((treeIds[i], falseIds[i]), out int f) ? f
                    : throw Problem(string.Create(CultureInfo.InvariantCulture, $"{where} has the false branch {falseIds[i]}, which the tree does not have"));
            }

            var weight = new float[count];
            var targetTrees = Ints("target_treeids");
            var targetNodes = Ints("target_nodeids");
            var targetIds = Ints("target_ids");
            var weights = Floats("target_weights");
            if (targetNodes.Count != targetTrees.Count || targetIds.Count != targetTrees.Count || weights.Count != targetTrees.Count)
            {
                throw Problem("its target_* attributes disagree in length");
            }

            for (int j = 0; j < targetTrees.Count; j++)
            {
                if (targetIds[j] != 0 || !index.TryGetValue((targetTrees[j], targetNodes[j]), out int leaf) || mode[leaf] != Leaf)
                {
                    throw Problem(string.Create(CultureInfo.InvariantCulture, $"target weight {j} is for target {targetIds[j]} of node {targetNodes[j]} of tree {targetTrees[j]}, not target 0 of a leaf"));
                }

                weight[leaf] += weights[j];
            }

            foreach (int root in roots)
            {
                CheckIsTree(root, mode, trueNode, falseNode, treeIds[root]);
            }

            var bases = Floats("base_values");
            if (bases.Count > 1)
            {
                throw Problem($"it has {bases.Count} base_values for one target");
            }

            return new TreeEnsemble([.. roots], mode, feature, [.. values], trueNode, falseNode, missingTrue, weight, bases.Count == 1 ? bases[0] : 0f);

            IReadOnlyList<long> Ints(string name) => attributes.TryGetValue(name, out var v) ? v.Ints : [];

            IReadOnlyList<float> Floats(string name) => attributes.TryGetValue(name, out var v) ? v.Floats : [];

            // Every walk from the root ends at a leaf: no node is reached twice.
            void CheckIsTree(int root, byte[] modes, int[] trueNodes, int[] falseNodes, long tree)
            {
                var reached = new HashSet<int>();
                var pending = new Stack<int>([root]);
                while (pending.Count > 0)
                {
                    int i = pending.Pop();
                    if (!reached.Add(i))
                    {
                        throw Problem(string.Create(CultureInfo.InvariantCulture, $"tree {tree} reaches node {nodeIds[i]} twice (not a tree)"));
                    }

                    if (modes[i] != Leaf)
                    {
                        pending.Push(trueNodes[i]);
                        pending.Push(falseNodes[i]);
                    }
                }
            }

            OnnxModelException Problem(string problem) => owner.Refuse($"TreeEnsembleRegressor '{node.Name}': {problem}");
        }
    }
}
