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
    public static IReadOnlyList<PlannedInstance> Plan(ClusterState state, ManifestId id, Manifest manifest)
    {
        var perManifest = new Dictionary<string, int>(StringComparer.Ordinal);
        var load = new Dictionary<string, int>(StringComparer.Ordinal);
        var eligible = new List<HostEntry>();
        foreach (var host in state.Hosts.Values)
        {
            if (host.Record.Draining)
                continue;
            eligible.Add(host);
            perManifest[host.HostId] = 0;
            load[host.HostId] = 0;
        }

        foreach (var claim in state.Instances.Values)
        {
            if (!load.ContainsKey(claim.Record.Host))
                continue;
            load[claim.Record.Host]++;
            if (claim.Id.App == id.App && claim.Id.Name == id.Name && claim.Id.Instance <= manifest.Scale)
                perManifest[claim.Record.Host]++;
        }

        var plan = new List<PlannedInstance>();
        for (var i = 1; i <= manifest.Scale; i++)
        {
            var instance = new InstanceId(id.App, id.Name, i);
            if (state.Instances.ContainsKey(instance))
                continue;

            var key = instance.Key;
            var ranked = eligible
                .Where(h => h.Record.Capacity <= 0 || load[h.HostId] < h.Record.Capacity)
                .OrderBy(h => perManifest[h.HostId])
                .ThenBy(h => load[h.HostId])
                .ThenByDescending(h => RendezvousHash.Weight(h.HostId, key))
                .Select(h => h.HostId)
                .ToList();
            plan.Add(new PlannedInstance(instance, ranked));
            if (ranked.Count > 0)
            {
                perManifest[ranked[0]]++;
                load[ranked[0]]++;
            }
        }

        return plan;
    }
}
