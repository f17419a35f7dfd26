using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Placement;

/// <summary>Where one unclaimed instance should go: eligible hosts, best first. Empty: it fits nowhere (pending).</summary>
public sealed record PlannedInstance(InstanceId Id, IReadOnlyList<string> RankedHosts);

/// <summary>
/// Spread, not greed. Every agent runs this same pure function over the same snapshot and so agrees on
/// the ranking without a scheduler: hosts with the fewest instances of this manifest first, then the least
/// loaded, then a rendezvous hash. Instances are planned in order and each planned instance counts against
/// its best host before the next is ranked, so scale 7 over 3 hosts plans 3/2/2, not 7/0/0.
/// The etcd transaction, not this plan, guarantees a single owner.
/// </summary>
public static class PlacementPlanner
{
    public static IReadOnlyList<PlannedInstance> Plan(ClusterState state, ManifestId id, Manifest manifest) =>
        Plan(state, id, manifest, HostUsage.Of(state));

    /// <summary>As above, with the hosts' usage computed once by the caller (it is the same for every manifest of a pass).</summary>
    public static IReadOnlyList<PlannedInstance> Plan(ClusterState state, ManifestId id, Manifest manifest, IReadOnlyDictionary<string, HostUsage> usage)
    {
        // Work on copies: planning one manifest's instances must not change the usage the caller keeps.
        var load = usage.ToDictionary(u => u.Key, u => new HostUsage { Instances = u.Value.Instances, MilliCpus = u.Value.MilliCpus, MemoryBytes = u.Value.MemoryBytes, Drained = u.Value.Drained }, StringComparer.Ordinal);
        var perManifest = load.Keys.ToDictionary(h => h, _ => 0, StringComparer.Ordinal);
        foreach (var claim in state.ClaimsOf(id))
        {
            if (claim.Id.Instance <= manifest.Scale && perManifest.ContainsKey(claim.Record.Host))
                perManifest[claim.Record.Host]++;
        }

        var hosts = state.Hosts.Values.Where(h => load.ContainsKey(h.HostId)).ToList();
        var plan = new List<PlannedInstance>();
        for (var i = 1; i <= manifest.Scale; i++)
        {
            var instance = new InstanceId(id.App, id.Name, i);
            if (state.Instances.ContainsKey(instance))
                continue;

            var key = instance.Key;
            var evictedFrom = state.Evictions.TryGetValue(instance, out var evicted) ? evicted : null;
            var ranked = hosts
                .Where(h => h.HostId != evictedFrom && load[h.HostId].Fits(h, manifest))
                .OrderBy(h => perManifest[h.HostId])
                .ThenBy(h => load[h.HostId].Instances)
                .ThenByDescending(h => RendezvousHash.Weight(h.HostId, key))
                .Select(h => h.HostId)
                .ToList();
            plan.Add(new PlannedInstance(instance, ranked));
            if (ranked.Count > 0)
            {
                perManifest[ranked[0]]++;
                load[ranked[0]].Add(manifest.Resources);
            }
        }

        return plan;
    }
}
