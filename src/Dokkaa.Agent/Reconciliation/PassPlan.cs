using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>What one reconcile pass decided: a plain value, run by <see cref="Reconciler"/>.</summary>
/// <param name="Actions">At most one per instance, in the order they are to be handed out.</param>
/// <param name="Statuses">The statuses this host writes (or deletes) because they changed.</param>
/// <param name="UnclaimedSince">The claim stagger's memory for the next pass: each instance still unclaimed that this host ranks for.</param>
/// <param name="WakeAt">When the next pass is due if nothing wakes the reconciler earlier (before backoff retries, which the runner adds).</param>
public sealed record PassPlan(
    IReadOnlyList<PlannedAction> Actions,
    IReadOnlyList<StatusChange> Statuses,
    IReadOnlyDictionary<InstanceId, DateTimeOffset> UnclaimedSince,
    DateTimeOffset WakeAt);
