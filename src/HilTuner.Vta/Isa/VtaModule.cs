namespace HilTuner.Vta.Isa;

/// <summary>VTA's four hardware modules.</summary>
public enum VtaModule
{
    Fetch,
    Load,
    Compute,
    Store,
}
