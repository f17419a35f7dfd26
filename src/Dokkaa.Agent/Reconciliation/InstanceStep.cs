namespace Dokkaa.Agent.Reconciliation;

/// <summary>The one step <see cref="InstanceDecider"/> chooses for an instance this host owns.</summary>
public enum InstanceStep
{
    /// <summary>Nothing to do now (backing off, or the claim already says what runs).</summary>
    Nothing,

    /// <summary>No container: create and start one.</summary>
    Start,

    /// <summary>Remove the container and start a new one (a stopped one of an older version, or one whose links lead nowhere).</summary>
    Recreate,

    /// <summary>Remove a stopped container of an older version; the backoff holds the new one back.</summary>
    Remove,

    /// <summary>A running container of an older version: the rolling replacement.</summary>
    Replace,

    /// <summary>Decide again once the ambassador has reopened the running container's links (<see cref="InstanceFacts.LinksIntact"/>).</summary>
    CheckLinks,

    /// <summary>The fence stopped it while the lease was unconfirmed: start it again, no crash to count.</summary>
    RestartFenced,

    /// <summary>It exited: count the failure and start it again.</summary>
    Restart,

    /// <summary>It runs the right manifest: write <see cref="InstanceDecision.Report"/> into the claim.</summary>
    Report,
}
