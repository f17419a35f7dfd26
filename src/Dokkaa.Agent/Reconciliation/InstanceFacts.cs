using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>What <see cref="InstanceDecider"/> decides an owned instance's next step from, gathered by <see cref="InstanceOperations.EnsureAsync"/>.</summary>
/// <param name="Claim">Our claim (already on our current lease).</param>
/// <param name="Hash">The manifest version it should run.</param>
/// <param name="Container">Its container as Docker inspected it; null when it has none.</param>
/// <param name="LinksIntact">Whether the ambassador could reopen a running container's links on the ports it was given; null until checked.</param>
/// <param name="StoppedByFence">The exclusive fence stopped this container.</param>
/// <param name="Backoff">The instance's restart backoff, if it is failing.</param>
/// <param name="Now">The clock.</param>
/// <param name="HostId">This host (for the claim it reports).</param>
/// <param name="HostIp">This host's address (for the claim it reports).</param>
public sealed record InstanceFacts(
    InstanceClaim Claim,
    string Hash,
    ContainerDetails? Container,
    bool? LinksIntact,
    bool StoppedByFence,
    RestartBackoff.Entry? Backoff,
    DateTimeOffset Now,
    string HostId,
    string HostIp);
