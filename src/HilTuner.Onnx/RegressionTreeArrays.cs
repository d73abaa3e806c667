namespace HilTuner.Onnx;

/// <summary>
/// One binary regression tree in the array layout ML.NET's <c>RegressionTree</c> exposes.
/// Split node <c>n</c> (0 is the root) sends a row to <see cref="LeftChild"/>[n] when
/// <c>features[SplitFeature[n]] &lt;= Threshold[n]</c> and to <see cref="RightChild"/>[n] otherwise; a NaN feature value
/// therefore goes right. A child value <c>c &gt;= 0</c> is a split node, a negative value is the leaf <c>~c</c>.
/// A tree with zero splits is a single leaf (<see cref="LeafValues"/> has one value).
/// </summary>
/// <remarks>
/// ML.NET's own evaluation returns 0 for a tree without splits, whatever its leaf value; a converter from ML.NET
/// must pass a leaf value of 0 for such trees to stay exact.
/// </remarks>
public sealed class RegressionTreeArrays
{
    private readonly int[] _leftChild;
    private readonly int[] _rightChild;
    private readonly int[] _splitFeature;
    private readonly float[] _threshold;
    private readonly double[] _leafValues;

    /// <exception cref="ArgumentException">The arrays do not describe one well-formed binary tree.</exception>
    public RegressionTreeArrays(
        IEnumerable<int> leftChild,
        IEnumerable<int> rightChild,
        IEnumerable<int> splitFeature,
        IEnumerable<float> threshold,
        IEnumerable<double> leafValues)
    {
        ArgumentNullException.ThrowIfNull(leftChild);
        ArgumentNullException.ThrowIfNull(rightChild);
        ArgumentNullException.ThrowIfNull(splitFeature);
        ArgumentNullException.ThrowIfNull(threshold);
        ArgumentNullException.ThrowIfNull(leafValues);
        _leftChild = [.. leftChild];
        _rightChild = [.. rightChild];
        _splitFeature = [.. splitFeature];
        _threshold = [.. threshold];
        _leafValues = [.. leafValues];
        Validate();
    }

    /// <summary>A tree without splits whose single leaf holds <paramref name="value"/>.</summary>
    public static RegressionTreeArrays SingleLeaf(double value) => new([], [], [], [], [value]);

    public IReadOnlyList<int> LeftChild => _leftChild;

    public IReadOnlyList<int> RightChild => _rightChild;

    public IReadOnlyList<int> SplitFeature => _splitFeature;

    public IReadOnlyList<float> Threshold => _threshold;

    public IReadOnlyList<double> LeafValues => _leafValues;

    public int SplitCount => _leftChild.Length;

    public int LeafCount => _leafValues.Length;

    /// <summary>The largest feature index a split reads, or -1 for a single leaf.</summary>
    public int MaxFeatureIndex => _splitFeature.Length == 0 ? -1 : _splitFeature.Max();

    /// <summary>The leaf index a row reaches (ML.NET's rule: left when value &lt;= threshold, NaN goes right).</summary>
    public int GetLeaf(ReadOnlySpan<float> features)
    {
        if (_leftChild.Length == 0)
        {
            return 0;
        }

        int node = 0;
        while (node >= 0)
        {
            node = features[_splitFeature[node]] <= _threshold[node] ? _leftChild[node] : _rightChild[node];
        }

        return ~node;
    }

    /// <summary>The leaf value a row reaches.</summary>
    public double Evaluate(ReadOnlySpan<float> features) => _leafValues[GetLeaf(features)];

    private void Validate()
    {
        int splits = _leftChild.Length;
        if (_rightChild.Length != splits || _splitFeature.Length != splits || _threshold.Length != splits)
        {
            throw new ArgumentException(
                $"tree arrays disagree in length: LeftChild {splits}, RightChild {_rightChild.Length}, " +
                $"SplitFeature {_splitFeature.Length}, Threshold {_threshold.Length}");
        }

        if (_leafValues.Length != splits + 1)
        {
            throw new ArgumentException($"a tree with {splits} splits needs {splits + 1} leaf values, got {_leafValues.Length}");
        }

        for (int i = 0; i < _leafValues.Length; i++)
        {
            if (!double.IsFinite(_leafValues[i]))
            {
                throw new ArgumentException($"leaf {i} has a non-finite value {_leafValues[i]}");
            }
        }

        var nodeSeen = new bool[splits];
        var leafSeen = new bool[splits + 1];
        if (splits > 0)
        {
            nodeSeen[0] = true;
        }
        else
        {
            leafSeen[0] = true;
        }

        for (int n = 0; n < splits; n++)
        {
            if (_splitFeature[n] < 0)
            {
                throw new ArgumentException($"split {n} reads a negative feature index {_splitFeature[n]}");
            }

            if (float.IsNaN(_threshold[n]))
            {
                throw new ArgumentException($"split {n} has a NaN threshold");
            }

            Claim(n, _leftChild[n], "left", nodeSeen, leafSeen);
            Claim(n, _rightChild[n], "right", nodeSeen, leafSeen);
        }

        int unclaimedLeaf = Array.IndexOf(leafSeen, false);
        if (unclaimedLeaf >= 0)
        {
            throw new ArgumentException($"leaf {unclaimedLeaf} is not the child of any split");
        }

        // Every non-root split has exactly one parent now, but a group of splits could still form a cycle that is
        // detached from the root: walk down from the root and require every split to be reached.
        if (splits > 0)
        {
            var reached = new bool[splits];
            var pending = new Stack<int>();
            pending.Push(0);
            int reachedCount = 0;
            while (pending.Count > 0)
            {
                int n = pending.Pop();
                reached[n] = true;
                reachedCount++;
                if (_leftChild[n] >= 0)
                {
                    pending.Push(_leftChild[n]);
                }

                if (_rightChild[n] >= 0)
                {
                    pending.Push(_rightChild[n]);
                }
            }

            if (reachedCount != splits)
            {
                throw new ArgumentException($"split {Array.IndexOf(reached, false)} is not reachable from the root");
            }
        }
    }

    private static void Claim(int parent, int child, string side, bool[] nodeSeen, bool[] leafSeen)
    {
        if (child >= 0)
        {
            // A split may be the child of one parent only, and the root of none.
            if (child >= nodeSeen.Length || child == 0 || nodeSeen[child])
            {
                throw new ArgumentException($"split {parent} has an invalid {side} child {child}");
            }

            nodeSeen[child] = true;
        }
        else
        {
            int leaf = ~child;
            if (leaf >= leafSeen.Length || leafSeen[leaf])
            {
                throw new ArgumentException($"split {parent} has an invalid {side} leaf {leaf}");
            }

            leafSeen[leaf] = true;
        }
    }
}
