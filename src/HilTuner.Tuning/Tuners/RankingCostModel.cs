using HilTuner.Onnx;

namespace HilTuner.Tuning.Tuners;

/// <summary>
/// The ranking trees of AutoTVM's XGBoost cost model: gradient boosting with XGBoost's <c>rank:pairwise</c> objective
/// and AutoTVM's parameters (<c>max_depth</c> 3, <c>eta</c> 0.3, <c>lambda</c> 1, <c>gamma</c> 0.0001,
/// <c>min_child_weight</c> 1, no subsampling), on continuous labels (GFLOPS over the best, failures 0). Each round
/// every row is paired with one partner of a different label drawn from all the rows (one group, as AutoTVM hands
/// XGBoost no groups), the pair's logistic loss on the score difference gives the gradients, and one exact-greedy tree
/// is grown on them. Rounds stop, as AutoTVM's callback stops them, when the training set's average recall of the top
/// <c>N</c> has not improved for <c>stoppingRounds</c> rounds. Rows may carry a base margin (AutoTVM's transfer:
/// a discounted base model's score) that the trees add to; without one, scores start, as XGBoost's before 2.0, from
/// <c>base_score</c> 0.5 — which matters to AutoTVM's annealer, which keeps only points scored ≥ 0.
/// </summary>
internal sealed class RankingCostModel(int seed)
{
    private const int MaxDepth = 3;
    private const double Eta = 0.3;
    private const double Lambda = 1;
    private const double Gamma = 1e-4;
    private const double MinChildWeight = 1;

    /// <summary>XGBoost's <c>base_score</c> (before 2.0): every row's starting margin when none is given.</summary>
    public const double BaseScore = 0.5;

    private readonly List<RegressionTreeArrays> _trees = [];
    private double _start;

    public bool IsTrained => _trees.Count > 0;

    /// <summary>Trees grown by the last fit.</summary>
    public int Rounds => _trees.Count;

    /// <summary>
    /// Trains on <paramref name="rows"/> with <paramref name="labels"/> (only their order matters), each row's score
    /// starting from its <paramref name="baseMargin"/> (null: 0); at most <paramref name="maxRounds"/> trees, stopping
    /// when the average recall of the top <paramref name="recallAt"/> has not improved for <paramref name="stoppingRounds"/>.
    /// </summary>
    public void Fit(IReadOnlyList<float[]> rows, IReadOnlyList<double> labels, IReadOnlyList<double>? baseMargin, int recallAt, int maxRounds = 8000, int stoppingRounds = 20)
    {
        var n = rows.Count;
        if (n == 0)
        {
            throw new ArgumentException("no rows", nameof(rows));
        }

        var width = rows[0].Length;
        var random = new Random(seed);
        _start = baseMargin is null ? BaseScore : 0;
        var margin = Enumerable.Range(0, n).Select(i => baseMargin?[i] ?? BaseScore).ToArray();

        // Rows by label, highest first; each row's bucket of equal labels [start, end) in that order.
        var byLabel = Enumerable.Range(0, n).OrderByDescending(i => labels[i]).ThenBy(i => i).ToArray();
        var bucketStart = new int[n];
        var bucketEnd = new int[n];
        for (var p = 0; p < n;)
        {
            var q = p;
            while (q < n && labels[byLabel[q]] == labels[byLabel[p]])
            {
                q++;
            }

            for (var k = p; k < q; k++)
            {
                (bucketStart[k], bucketEnd[k]) = (p, q);
            }

            p = q;
        }

        var labelRank = new int[n];
        for (var p = 0; p < n; p++)
        {
            labelRank[byLabel[p]] = p;
        }

        var sorted = new int[width][];
        for (var f = 0; f < width; f++)
        {
            var feature = f;
            sorted[f] = Enumerable.Range(0, n).OrderBy(i => rows[i][feature]).ThenBy(i => i).ToArray();
        }

        _trees.Clear();
        var grad = new double[n];
        var hess = new double[n];
        var bestScore = double.NegativeInfinity;
        var bestRound = 0;
        for (var round = 0; round < maxRounds; round++)
        {
            Array.Clear(grad);
            Array.Clear(hess);
            for (var p = 0; p < n; p++)
            {
                var (start, end) = (bucketStart[p], bucketEnd[p]);
                var others = start + (n - end);
                if (others == 0)
                {
                    continue;
                }

                var r = random.Next(others);
                var (high, low) = r < start ? (byLabel[r], byLabel[p]) : (byLabel[p], byLabel[end + r - start]);
                var probability = 1 / (1 + Math.Exp(-(margin[high] - margin[low])));
                var g = probability - 1;
                var h = 2 * Math.Max(probability * (1 - probability), 1e-16);
                grad[high] += g;
                hess[high] += h;
                grad[low] -= g;
                hess[low] += h;
            }

            var tree = new TreeGrower(rows, sorted, grad, hess).Grow();
            _trees.Add(tree);
            for (var i = 0; i < n; i++)
            {
                margin[i] += tree.Evaluate(rows[i]);
            }

            var score = AverageRecall(margin, labelRank, Math.Min(recallAt, n));
            if (score > bestScore)
            {
                (bestScore, bestRound) = (score, round);
            }
            else if (round - bestRound >= stoppingRounds)
            {
                break;
            }
        }
    }

    /// <summary>The score of a row: <see cref="BaseScore"/> and the trees, or, for a model fitted on base margins, the trees alone (the caller adds the row's margin).</summary>
    public double Predict(ReadOnlySpan<float> row)
    {
        if (_trees.Count == 0)
        {
            throw new InvalidOperationException("the model is not trained yet");
        }

        var score = _start;
        foreach (var tree in _trees)
        {
            score += tree.Evaluate(row);
        }

        return score;
    }

    /// <summary>
    /// AutoTVM's <c>a-recall@N</c>: rows taken in the order of their scores, the mean over the first N of the share
    /// of the rows before position i whose true rank is at most i.
    /// </summary>
    private static double AverageRecall(double[] margin, int[] labelRank, int top)
    {
        var order = Enumerable.Range(0, margin.Length).OrderByDescending(i => margin[i]).ThenBy(i => i).Take(top).ToArray();
        var sum = 0.0;
        for (var i = 0; i < top; i++)
        {
            var hits = 0;
            for (var j = 0; j < i; j++)
            {
                hits += labelRank[order[j]] <= i ? 1 : 0;
            }

            sum += hits / (double)(i + 1);
        }

        return sum / top;
    }

    /// <summary>One exact-greedy tree of depth <see cref="MaxDepth"/> on gradients and hessians (XGBoost's rules).</summary>
    private sealed class TreeGrower(IReadOnlyList<float[]> rows, int[][] sorted, double[] grad, double[] hess)
    {
        private readonly List<int> _left = [];
        private readonly List<int> _right = [];
        private readonly List<int> _feature = [];
        private readonly List<float> _threshold = [];
        private readonly List<double> _leaves = [];
        private readonly int[] _node = new int[rows.Count];
        private int _nodes;

        public RegressionTreeArrays Grow()
        {
            Build(0, 0);
            return new RegressionTreeArrays(_left, _right, _feature, _threshold, _leaves);
        }

        /// <summary>Grows the node whose rows are marked <paramref name="id"/>; its index (≥ 0) or ~leaf.</summary>
        private int Build(int id, int depth)
        {
            double g = 0, h = 0;
            for (var i = 0; i < rows.Count; i++)
            {
                if (_node[i] == id)
                {
                    (g, h) = (g + grad[i], h + hess[i]);
                }
            }

            if (depth < MaxDepth && BestSplit(id, g, h) is { } split)
            {
                var index = _left.Count;
                _left.Add(0);
                _right.Add(0);
                _feature.Add(split.Feature);
                _threshold.Add(split.Threshold);
                var (leftId, rightId) = (++_nodes, ++_nodes);
                for (var i = 0; i < rows.Count; i++)
                {
                    if (_node[i] == id)
                    {
                        _node[i] = rows[i][split.Feature] <= split.Threshold ? leftId : rightId;
                    }
                }

                _left[index] = Build(leftId, depth + 1);
                _right[index] = Build(rightId, depth + 1);
                return index;
            }

            _leaves.Add(-g / (h + Lambda) * Eta);
            return ~(_leaves.Count - 1);
        }

        private (int Feature, float Threshold)? BestSplit(int id, double g, double h)
        {
            var parent = g * g / (h + Lambda);
            var (bestGain, best) = (Gamma, ((int, float)?)null);
            for (var f = 0; f < sorted.Length; f++)
            {
                double gl = 0, hl = 0;
                var previous = -1;
                foreach (var i in sorted[f])
                {
                    if (_node[i] != id)
                    {
                        continue;
                    }

                    if (previous >= 0 && rows[i][f] > rows[previous][f] && hl >= MinChildWeight && h - hl >= MinChildWeight)
                    {
                        var gain = (gl * gl / (hl + Lambda)) + ((g - gl) * (g - gl) / (h - hl + Lambda)) - parent;
                        if (gain > bestGain)
                        {
                            var (a, b) = (rows[previous][f], rows[i][f]);
                            var middle = (float)((a + (double)b) / 2);
                            (bestGain, best) = (gain, (f, middle < b ? middle : a));
                        }
                    }

                    (gl, hl, previous) = (gl + grad[i], hl + hess[i], i);
                }
            }

            return best;
        }
    }
}
