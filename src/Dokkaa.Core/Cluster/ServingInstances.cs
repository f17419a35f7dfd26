using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Cluster;

/// <summary>
/// Which instances of a manifest serve: their claim says Running and their number is within the manifest's
/// scale (an instance above it is being stopped by a scale-down and must get no new traffic). Service
/// resolution (links, <c>dokkaa resolve</c>), the nginx routes, the DNS zone and the status's running count all
/// ask here, so an instance never gets traffic from one of them and not from another.
/// </summary>
public static class ServingInstances
{
    /// <summary>True when <paramref name="claim"/> serves for <paramref name="manifest"/> (the manifest's effective version).</summary>
    public static bool IsServing(InstanceClaim claim, Manifest manifest) =>
        claim.Record.State == InstanceState.Running && claim.Id.Instance <= manifest.Scale;

    /// <summary>The serving claims of manifest <paramref name="id"/>, in instance order.</summary>
    public static IEnumerable<InstanceClaim> Of(ClusterState state, ManifestId id, Manifest manifest)
    {
        foreach (var claim in state.ClaimsOf(id))
        {
            if (IsServing(claim, manifest))
                yield return claim;
        }
    }
}
