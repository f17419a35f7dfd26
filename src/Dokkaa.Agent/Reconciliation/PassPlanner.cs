using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Fencing;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>
/// The decision of one reconcile pass, with no I/O: from the cluster view, this host's containers, the fence and
/// the clock, which instance gets which operation, which statuses change, and when to look again. Every agent runs
/// it on its own snapshot; the etcd transactions the actions end in, not this plan, keep an instance to one owner.
/// The simulation under bench/ calls it too.
/// </summary>
public static class PassPlanner
{
    /// <summary>How often a fenced agent looks again, to restart its exclusive instances soon after the lease is renewed.</summary>
    public static readonly TimeSpan FencedRecheck = TimeSpan.FromSeconds(1);

    public static PassPlan Plan(PassInput input)
    {
        var plan = new PassPlanBuilder(input.InFlight, input.Now + input.Options.ResyncInterval);

        // Lease unconfirmed for half the TTL: the fence stops exclusive instances, and nothing may start or claim
        // one until the lease is renewed. Everything else goes on: stopping what a deleted manifest left is always
        // safe, and an etcd that is slow rather than gone still takes the writes (skipping whole passes here left a
        // host whose keepalives answered slowly doing nothing at all, its deleted instances running on).
        if (input.State.Manifests.Values.Any(m => m.Effective?.Exclusive == true))
            plan.WakeNoLaterThan(input.Fence.CutOff ? input.Now + FencedRecheck : input.Fence.LastRenewed + FenceRule.OpenFor(input.Fence.Ttl));

        PlanOwned(input, plan);
        PlanUnclaimed(input, plan);
        PlanDeletedManifests(input, plan);
        CleanUpLocal(input, plan);
        return plan.Build(StatusChanges(input.State, writer => writer == input.HostId));
    }

    /// <summary>Our claims: stop those above the scale or evicted; work on those whose container is not what the claim says.</summary>
    private static void PlanOwned(PassInput input, PassPlanBuilder plan)
    {
        var (state, local, me) = (input.State, input.Local, input.HostId);
        foreach (var (manifestId, entry) in state.Manifests)
        {
            var manifest = entry.Effective;
            if (manifest is null)
                continue; // Broken and never seen valid: touch nothing, the status says why.
            var hash = entry.Hash!;

            foreach (var claim in state.ClaimsOf(manifestId))
            {
                if (claim.Record.Host != me)
                    continue;
                var evicted = state.Evictions.TryGetValue(claim.Id, out var evictedFrom) && evictedFrom == me;
                if (claim.Id.Instance > manifest.Scale || evicted)
                    plan.Add(new StopAction(claim.Id, claim, local.Of(claim.Id), evicted ? StopReason.Evicted : StopReason.ScaledDown));
                else if (input.Fence.CutOff && manifest.Exclusive)
                    continue; // Fenced: it stays stopped until the lease is renewed.
                else if (NeedsWork(input, claim, local.Primary(claim.Id), hash))
                    plan.Add(new EnsureAction(claim, manifest, hash, local.Primary(claim.Id)));
            }
        }
    }

    /// <summary>
    /// Unclaimed instances: adopt our container of one at once; otherwise claim it when this host's rank comes up,
    /// one claim stagger per rank after the instance was first seen unclaimed.
    /// </summary>
    private static void PlanUnclaimed(PassInput input, PassPlanBuilder plan)
    {
        var (state, local, me, now) = (input.State, input.Local, input.HostId, input.Now);
        foreach (var (manifestId, manifest, placement) in PlacementPlanner.PlanAll(state))
        {
            if (input.Fence.CutOff && manifest.Exclusive)
            {
                // Keeps its place in the claim stagger.
                foreach (var p in placement)
                {
                    if (input.UnclaimedSince.TryGetValue(p.Id, out var kept))
                        plan.UnclaimedSince[p.Id] = kept;
                }

                continue;
            }

            var hash = state.Manifests[manifestId].Hash!;
            foreach (var instance in placement)
            {
                var id = instance.Id;
                var seen = input.UnclaimedSince.TryGetValue(id, out var since);
                if (seen)
                    plan.UnclaimedSince[id] = since;
                if (state.Evictions.TryGetValue(id, out var evictedHost) && evictedHost == me)
                {
                    // Asked to give this one away: never adopt it back; a leftover copy goes.
                    if (local.Of(id).Count > 0)
                        plan.Add(new StopAction(id, null, local.Of(id), StopReason.Evicted));
                    continue;
                }

                if (local.Primary(id) is { } existing)
                {
                    // Adoption: a container of ours already serves it (agent restart, lost lease); claim it at once.
                    plan.Add(new ClaimAction(id, manifest, hash, existing));
                    continue;
                }

                if (!seen)
                    since = now;
                var rank = instance.RankOf(me, RanksThatMatter(input.Options.ClaimStagger, since, now, plan.WakeAt));
                if (rank < 0)
                    continue;
                plan.UnclaimedSince[id] = since;
                var notBefore = since + (input.Options.ClaimStagger * rank);
                if (notBefore <= now)
                    plan.Add(new ClaimAction(id, manifest, hash, null));
                else
                    plan.WakeNoLaterThan(notBefore);
            }
        }
    }

    /// <summary>Claims of ours whose manifest is gone: stop everything (the seed's delete never did).</summary>
    private static void PlanDeletedManifests(PassInput input, PassPlanBuilder plan)
    {
        foreach (var claim in input.State.Instances.Values)
        {
            if (claim.Record.Host == input.HostId && !input.State.Manifests.ContainsKey(claim.Id.Manifest))
                plan.Add(new StopAction(claim.Id, claim, input.Local.Of(claim.Id), StopReason.ManifestDeleted));
        }
    }

    /// <summary>Containers on this host that no claim of ours explains: stale copies, orphans, leftovers of a crashed update.</summary>
    private static void CleanUpLocal(PassInput input, PassPlanBuilder plan)
    {
        var (state, local, me) = (input.State, input.Local, input.HostId);
        foreach (var id in local.Instances)
        {
            if (plan.HasAction(id))
                continue;
            var claim = state.Claim(id);
            var manifestExists = state.Manifests.TryGetValue(id.Manifest, out var entry);
            var containers = local.Of(id);

            if (claim is null)
            {
                // Unclaimed: adopted above if the manifest wants it; otherwise it is an orphan.
                var wanted = manifestExists && (entry!.Effective is null || id.Instance <= entry.Effective.Scale);
                if (!wanted)
                    plan.Add(new StopAction(id, null, containers, StopReason.Orphan));
            }
            else if (claim.Record.Host != me)
            {
                plan.Add(new StopAction(id, null, containers, StopReason.OwnedElsewhere));
            }
            else
            {
                var extras = containers.Where(c => c.Name.TrimStart('/') != id.ContainerName).ToList();
                if (extras.Count > 0)
                    plan.Add(new StopAction(id, null, extras, StopReason.Extra));
            }
        }
    }

    /// <summary>
    /// Each manifest's status is written by one host (the first by rendezvous hash among live hosts), and
    /// only when it changed, so N agents do not fight over one key. <paramref name="writes"/> says whether a
    /// writer is this host (the simulation stands in for every host at once).
    /// </summary>
    public static List<StatusChange> StatusChanges(ClusterState state, Func<string, bool> writes)
    {
        var changes = new List<StatusChange>();
        foreach (var (id, entry) in state.Manifests)
        {
            if (StatusCalculator.Writer(state, id) is not { } writer || !writes(writer))
                continue;
            var status = StatusCalculator.Compute(state, entry);
            state.Statuses.TryGetValue(id, out var current);
            if (current.Record is not null && current.Record.SameAs(status))
                continue;
            changes.Add(new StatusChange(id, status, current.Record is null ? 0 : current.ModRevision));
        }

        foreach (var (id, (_, modRevision)) in state.Statuses)
        {
            if (!state.Manifests.ContainsKey(id) && !state.ClaimsOf(id).Any() && StatusCalculator.Writer(state, id) is { } writer && writes(writer))
                changes.Add(new StatusChange(id, null, modRevision));
        }

        return changes;
    }

    /// <summary>
    /// Whether an owned instance needs an operation, judged from the container list alone so that a quiet
    /// cluster costs one Docker list per pass and nothing more.
    /// </summary>
    private static bool NeedsWork(PassInput input, InstanceClaim claim, ContainerSummary? container, string hash)
    {
        if (claim.Lease != input.LeaseId)
            return true;
        if (container is null || container.State != "running")
            return input.Backoff.MayAttempt(claim.Id, input.Now);
        var record = claim.Record;
        return container.Labels.GetValueOrDefault(ContainerNames.ManifestHashLabel) != hash ||
               record.State != InstanceState.Running || record.ContainerId != container.Id ||
               record.ManifestHash != hash || record.Error is not null;
    }

    /// <summary>
    /// Ranks from which on this pass would neither claim nor wake up earlier for an instance unclaimed since
    /// <paramref name="since"/>: the rank is only counted that far (at 10,000 hosts, counting every host above
    /// this one cost about 3.6 ms per unclaimed instance and pass).
    /// </summary>
    private static int RanksThatMatter(TimeSpan stagger, DateTimeOffset since, DateTimeOffset now, DateTimeOffset wakeAt)
    {
        if (stagger <= TimeSpan.Zero)
            return int.MaxValue;
        var horizon = (wakeAt > now ? wakeAt : now) - since;
        return (int)Math.Min(int.MaxValue - 1, Math.Floor(horizon / stagger)) + 1;
    }
}
