using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>Bring an instance we own to "running this manifest" (<see cref="InstanceOperations.EnsureAsync"/>).</summary>
public sealed record EnsureAction(InstanceClaim Claim, Manifest Manifest, string Hash, ContainerSummary? Container) : PlannedAction(Claim.Id);
