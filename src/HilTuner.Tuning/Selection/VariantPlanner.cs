namespace HilTuner.Tuning.Selection;

/// <summary>
/// A whole-network plan: the variant each layer runs on, the time of the layers, and the bitstream loads the switches
/// between variants cost.
/// </summary>
public sealed record SelectionPlan(IReadOnlyList<int> Variants, double LayerSeconds, double SwitchSeconds, int Switches)
{
    public double Seconds => LayerSeconds + SwitchSeconds;

    /// <summary>Whether the plan runs on more than one variant.</summary>
    public bool Mixed => Variants.Distinct().Count() > 1;
}

/// <summary>
/// Chooses the variant of every layer of a network by dynamic programming over the layers, in order: running layer
/// <c>i</c> on variant <c>v</c> costs its time on <c>v</c> (times the inferences run layer after layer), and coming to
/// <c>v</c> from another variant costs <c>v</c>'s bitstream load. The network starts with the start variant's
/// bitstream loaded, so a plan that never leaves it loads nothing. A mixed plan is therefore chosen only when what it
/// saves on the layers pays for its loads.
/// </summary>
public static class VariantPlanner
{
    /// <summary>
    /// The cheapest plan. <paramref name="figures"/>[layer][variant] is the layer's time on the variant (null: no figure,
    /// the layer cannot run there); <paramref name="loadSeconds"/>[variant] the time to load its bitstream.
    /// </summary>
    public static SelectionPlan Plan(IReadOnlyList<IReadOnlyList<LayerFigure?>> figures, IReadOnlyList<double> loadSeconds, int start = 0, int inferences = 1)
    {
        var layers = figures.Count;
        var variants = loadSeconds.Count;
        if (layers == 0 || figures.Any(f => f.Count != variants) || start < 0 || start >= variants || inferences < 1)
        {
            throw new ArgumentException($"a plan needs at least one layer with a figure slot for each of the {variants} variant(s), a start variant among them and at least one inference");
        }

        var cost = new double[layers, variants];
        var from = new int[layers, variants];
        for (var i = 0; i < layers; i++)
        {
            for (var v = 0; v < variants; v++)
            {
                cost[i, v] = double.PositiveInfinity;
                from[i, v] = -1;
                if (figures[i][v] is not { } figure)
                {
                    continue;
                }

                var run = figure.Seconds * inferences;
                if (i == 0)
                {
                    cost[i, v] = run + (v == start ? 0 : loadSeconds[v]);
                    continue;
                }

                // Staying is tried first, so that a tie never pays for a switch.
                foreach (var u in new[] { v }.Concat(Enumerable.Range(0, variants).Where(u => u != v)))
                {
                    var c = cost[i - 1, u] + run + (u == v ? 0 : loadSeconds[v]);
                    if (c < cost[i, v])
                    {
                        cost[i, v] = c;
                        from[i, v] = u;
                    }
                }
            }
        }

        var last = Enumerable.Range(0, variants).OrderBy(v => cost[layers - 1, v]).ThenBy(v => v == start ? 0 : 1).First();
        if (double.IsPositiveInfinity(cost[layers - 1, last]))
        {
            throw new ArgumentException("no variant has a figure for every step of a plan: a layer without any figure cannot be placed");
        }

        var chosen = new int[layers];
        chosen[layers - 1] = last;
        for (var i = layers - 1; i > 0; i--)
        {
            chosen[i - 1] = from[i, chosen[i]];
        }

        return Costed(figures, loadSeconds, chosen, start, inferences);
    }

    /// <summary>The plan that runs every layer on <paramref name="variant"/> (a load first when it is not the start variant); null when a layer has no figure there.</summary>
    public static SelectionPlan? Single(IReadOnlyList<IReadOnlyList<LayerFigure?>> figures, IReadOnlyList<double> loadSeconds, int variant, int start = 0, int inferences = 1) =>
        figures.All(f => f[variant] is not null) ? Costed(figures, loadSeconds, [.. figures.Select(_ => variant)], start, inferences) : null;

    /// <summary>The plan that runs layer <c>i</c> on <paramref name="chosen"/>[i], costed with <paramref name="figures"/> (every chosen figure must exist).</summary>
    public static SelectionPlan Costed(IReadOnlyList<IReadOnlyList<LayerFigure?>> figures, IReadOnlyList<double> loadSeconds, IReadOnlyList<int> chosen, int start, int inferences)
    {
        var layerSeconds = 0.0;
        var switchSeconds = 0.0;
        var switches = 0;
        var loaded = start;
        for (var i = 0; i < chosen.Count; i++)
        {
            if (chosen[i] != loaded)
            {
                switches++;
                switchSeconds += loadSeconds[chosen[i]];
                loaded = chosen[i];
            }

            layerSeconds += figures[i][chosen[i]]!.Seconds * inferences;
        }

        return new SelectionPlan([.. chosen], layerSeconds, switchSeconds, switches);
    }
}
