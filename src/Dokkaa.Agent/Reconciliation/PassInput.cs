using Dokkaa.Agent.Containers;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>Everything one reconcile pass decides from: read before it decides, so the decision itself does no I/O.</summary>
/// <param name="State">The cluster view (manifests, claims, hosts, rollouts, statuses).</param>
/// <param name="Local">This host's containers, from Docker's list.</param>
/// <param name="HostId">This host.</param>
/// <param name="LeaseId">This host's current lease: a claim of ours on another one needs re-attaching.</param>
/// <param name="Fence">The exclusive fence.</param>
/// <param name="Now">The pass's clock reading.</param>
/// <param name="InFlight">Instances an operation still runs on: they get no second one.</param>
/// <param name="UnclaimedSince">When each unclaimed instance was first seen unclaimed (from the previous pass's plan): the start of its claim stagger.</param>
/// <param name="Backoff">Restart backoff per instance (only read).</param>
/// <param name="Options">Stagger and resync interval.</param>
public sealed record PassInput(
    ClusterState State,
    LocalContainers Local,
    string HostId,
    long LeaseId,
    FenceState Fence,
    DateTimeOffset Now,
    IReadOnlySet<InstanceId> InFlight,
    IReadOnlyDictionary<InstanceId, DateTimeOffset> UnclaimedSince,
    RestartBackoff Backoff,
    ReconcilerOptions Options);
