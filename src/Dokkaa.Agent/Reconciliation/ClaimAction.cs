using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>Claim an unclaimed instance; with <paramref name="Existing"/>, adopt the container of ours that already serves it.</summary>
public sealed record ClaimAction(InstanceId Id, Manifest Manifest, string Hash, ContainerSummary? Existing) : PlannedAction(Id);
