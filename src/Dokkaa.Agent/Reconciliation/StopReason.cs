namespace Dokkaa.Agent.Reconciliation;

/// <summary>Why a pass stops an instance's containers here (for the log and for tests of the plan).</summary>
public enum StopReason
{
    /// <summary>Our claim is above the manifest's scale.</summary>
    ScaledDown,

    /// <summary>An operator asked this host to give the instance away.</summary>
    Evicted,

    /// <summary>Our claim's manifest is gone.</summary>
    ManifestDeleted,

    /// <summary>A container nobody claims and no manifest wants.</summary>
    Orphan,

    /// <summary>Another host owns the instance now (this one was cut off and it took over): our copy goes.</summary>
    OwnedElsewhere,

    /// <summary>Containers of an instance we own beside the one that serves it (leftovers of a crashed update).</summary>
    Extra,
}
