using Dokkaa.Core.Cluster;

namespace Dokkaa.Core.Placement;

/// <summary>One instance to move off a host; placement decides where it lands.</summary>
public sealed record InstanceMove(InstanceId Id, string FromHost);

/// <summary>
/// The fewest moves that bring every manifest back to "differs by at most one between eligible hosts".
/// Nothing moves by itself when a host joins (no churn); an operator asks for this with
/// <c>dokkaa rebalance</c>, and the moves are then made one at a time.
/// </summary>
public static class RebalancePlanner
{
    public static IReadOnlyList<InstanceMove> Plan(ClusterState state)
    {
        var moves = new List<InstanceMove>();
        foreach (var (id, entry) in state.Manifests)
        {
            var manifest = entry.Effective;
            if (manifest is null || manifest.Scale == 0)
                continue;

            // Eligible: not draining and carrying the labels the manifest needs. Capacity is left to placement.
            var eligible = state.Hosts.Values
                .Where(h => HostFit.Accepts(state, h, manifest))
                .Select(h => h.HostId)
                .ToList();
            if (eligible.Count < 2)
                continue;

            var byHost = eligible.ToDictionary(h => h, _ => new List<int>(), StringComparer.Ordinal);
            foreach (var claim in state.ClaimsOf(id))
            {
                if (claim.Id.Instance <= manifest.Scale && byHost.TryGetValue(claim.Record.Host, out var list))
                    list.Add(claim.Id.Instance);
            }

            while (true)
            {
                var most = byHost.OrderByDescending(h => h.Value.Count).ThenBy(h => h.Key, StringComparer.Ordinal).First();
                var least = byHost.OrderBy(h => h.Value.Count).ThenBy(h => h.Key, StringComparer.Ordinal).First();
                if (most.Value.Count - least.Value.Count <= 1)
                    break;

                // Move the highest instance: scale-down would stop it first anyway.
                var instance = most.Value.Max();
                most.Value.Remove(instance);
                least.Value.Add(instance);
                moves.Add(new InstanceMove(new InstanceId(id.App, id.Name, instance), most.Key));
            }
        }

        return moves;
    }
}
