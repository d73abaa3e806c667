namespace HilTuner.Vta.Config;

/// <summary>The programmable-logic side of a board: the accelerator's clock and its memory bus.</summary>
public sealed record Fabric(double ClockMhz, int AxiDataBusBits)
{
    public int AxiDataBusBytes => AxiDataBusBits / 8;

    public double SecondsPerCycle => 1e-6 / ClockMhz;
}
