using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Core.Placement;

/// <summary>
/// Spread, not greed. Every agent runs this same pure function over its snapshot and so agrees on the ranking
/// without a scheduler. The etcd transaction, not this plan, guarantees a single owner.
/// <para>
/// Per manifest, the eligible hosts are put in one order: least loaded first (load of the manifests that came
/// before this one), then a rendezvous hash of host and manifest. Instance i's target is the i-th host of that
/// order, round robin, so scale 7 over 3 hosts targets 3/2/2 and each host's quota is its number of targets.
/// An unclaimed instance goes to its target while the target is under quota; otherwise (claims that landed
/// elsewhere after a failover, a full host) to the host furthest under its quota.
/// </para>
/// <para>
/// The plan is stable while claims land: neither the order nor the targets depend on this manifest's own
/// claims, so claims that follow the plan leave the rest of it unchanged, whichever of them an agent has seen
/// yet. (A greedy plan that counted every landed claim first moved the remaining instances around as claims
/// arrived, and agents that saw different moments disagreed about who goes first: 7 instances ended 0/4/3.)
/// </para>
/// </summary>
public static class PlacementPlanner
{
    /// <summary>One manifest on its own, ordered by the load of every other manifest's claims.</summary>
    public static IReadOnlyList<PlannedInstance> Plan(ClusterState state, ManifestId id, Manifest manifest)
    {
        var table = HostTable.Of(state);
        var usage = HostLoads.Of(state, table);
        var order = (int[])usage.Instances.Clone();
        foreach (var claim in state.ClaimsOf(id))
        {
            if (claim.Id.Instance <= manifest.Scale && table.Index.TryGetValue(claim.Record.Host, out var h))
                order[h]--;
        }

        return Plan(state, table, id, manifest, usage, order);
    }

    /// <summary>
    /// Every valid manifest, in the order they arrived (the creation revision of their key): each is planned with
    /// the load of the manifests before it (their claims and planned instances) and with the capacity that every
    /// claim and every instance planned so far leaves. What the agents run.
    /// </summary>
    public static IReadOnlyList<(ManifestId Id, Manifest Manifest, IReadOnlyList<PlannedInstance> Plan)> PlanAll(ClusterState state)
    {
        var walk = state.Manifests
            .Where(m => m.Value.Effective is not null)
            .OrderBy(m => m.Value.CreateRevision)
            .ThenBy(m => m.Key.App, StringComparer.Ordinal)
            .ThenBy(m => m.Key.Name, StringComparer.Ordinal)
            .ToList();
        var result = new List<(ManifestId, Manifest, IReadOnlyList<PlannedInstance>)>(walk.Count);

        // Nothing needs planning after the last manifest with an unclaimed instance: a converged cluster (every
        // pass of every agent, most of the time) costs one count per manifest, not the loads of every host.
        var last = walk.FindLastIndex(m => Unclaimed(state, m.Key, m.Value.Effective!) > 0);
        if (last < 0)
        {
            foreach (var (id, entry) in walk)
                result.Add((id, entry.Effective!, Array.Empty<PlannedInstance>()));
            return result;
        }

        // The order load starts with what no manifest of the walk explains: claims of deleted or broken manifests
        // and instances above scale (being stopped). Each manifest adds its own claims and plan after it is planned.
        var table = HostTable.Of(state);
        var usage = HostLoads.Of(state, table);
        var order = new int[table.Count];
        foreach (var claim in state.Instances.Values)
        {
            var inWalk = state.Manifests.TryGetValue(claim.Id.Manifest, out var entry) && entry.Effective is { } m && claim.Id.Instance <= m.Scale;
            if (!inWalk && table.Index.TryGetValue(claim.Record.Host, out var h))
                order[h]++;
        }

        for (var i = 0; i < walk.Count; i++)
        {
            var (id, entry) = walk[i];
            var manifest = entry.Effective!;
            if (i > last)
            {
                result.Add((id, manifest, Array.Empty<PlannedInstance>()));
                continue;
            }

            var plan = Plan(state, table, id, manifest, usage, order);
            foreach (var claim in state.ClaimsOf(id))
            {
                if (claim.Id.Instance <= manifest.Scale && table.Index.TryGetValue(claim.Record.Host, out var h))
                    order[h]++;
            }

            foreach (var planned in plan)
            {
                if (planned.Best is { } best)
                    order[table.Index[best]]++;
            }

            result.Add((id, manifest, plan));
        }

        return result;
    }

    /// <summary>
    /// The unclaimed instances of one manifest. <paramref name="usage"/> is what hosts carry (for capacity: every
    /// claim, and the instances the caller planned before); instances planned here are added to it.
    /// <paramref name="order"/> is the load that orders the hosts (without this manifest's own claims); it is only read.
    /// </summary>
    private static IReadOnlyList<PlannedInstance> Plan(ClusterState state, HostTable table, ManifestId id, Manifest manifest, HostLoads usage, int[] order)
    {
        // A manifest whose instances are all claimed costs nothing (the common case, every pass).
        var unclaimed = Unclaimed(state, id, manifest);
        if (unclaimed == 0)
            return Array.Empty<PlannedInstance>();

        var plan = new ManifestPlan(state, table, id, manifest, usage, order);
        var planned = new List<PlannedInstance>(unclaimed);
        for (var i = 1; i <= manifest.Scale; i++)
        {
            var instance = new InstanceId(id.App, id.Name, i);
            if (state.Instances.ContainsKey(instance))
                continue;
            var best = plan.Choose(instance);
            planned.Add(new PlannedInstance(instance, plan, plan.Steps - 1, best < 0 ? null : plan.HostId(best)));
        }

        return planned;
    }

    /// <summary>How many of the manifest's instances 1..scale have no claim.</summary>
    private static int Unclaimed(ClusterState state, ManifestId id, Manifest manifest)
    {
        var claimed = 0;
        foreach (var claim in state.ClaimsOf(id))
        {
            if (claim.Id.Instance <= manifest.Scale)
                claimed++;
        }

        return Math.Max(0, manifest.Scale - claimed);
    }
}
