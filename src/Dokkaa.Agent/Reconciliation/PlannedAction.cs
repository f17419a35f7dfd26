using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>One operation a pass decided on for one instance; the reconciler runs it (at most one per instance at a time).</summary>
public abstract record PlannedAction(InstanceId Id);
