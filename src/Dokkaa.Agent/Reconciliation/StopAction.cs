using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>Stop and remove <paramref name="Containers"/>, then release <paramref name="Claim"/> if there is one.</summary>
public sealed record StopAction(InstanceId Id, InstanceClaim? Claim, IReadOnlyList<ContainerSummary> Containers, StopReason Reason) : PlannedAction(Id);
