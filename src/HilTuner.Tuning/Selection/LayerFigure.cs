namespace HilTuner.Tuning.Selection;

/// <summary>Where a layer's time on a variant comes from.</summary>
public enum FigureSource
{
    /// <summary>The best time a tuning log measured for the layer on the variant's board.</summary>
    Measured,

    /// <summary>The best time LANN predicts over the layer's compiled space on the variant.</summary>
    Predicted,
}

/// <summary>A layer's best time on one variant (board file / bitstream), the configuration it belongs to, and where it comes from.</summary>
public sealed record LayerFigure(double Seconds, FigureSource Source, long Index)
{
    /// <summary>The source in the words the output uses: <c>measured</c> or <c>predicted</c>.</summary>
    public string SourceName => Source == FigureSource.Measured ? "measured" : "predicted";
}
