namespace HilTuner.Vta.Simulation;

/// <summary>Why a unit cannot act.</summary>
internal enum UnitWait
{
    None,

    /// <summary>Its command queue is empty.</summary>
    Instructions,

    /// <summary>Popping from an empty dependency queue.</summary>
    Token,

    /// <summary>Pushing into a full dependency queue (or, for fetch, into a full command queue).</summary>
    Space,

    /// <summary>Fetch has dispatched the whole program.</summary>
    Done,
}
