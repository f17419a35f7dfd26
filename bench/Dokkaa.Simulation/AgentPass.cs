using System.Diagnostics;
using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;

namespace Dokkaa.Simulation;

/// <summary>What one agent's reconcile pass decided and how long the decision took.</summary>
public sealed record PassCost(TimeSpan Total, int Unclaimed, int Claims, int Ensures, int Stops, int Statuses, int Mine);

/// <summary>
/// The CPU part of one agent's reconcile pass: the agent's own decision (<see cref="PassPlanner.Plan"/>) on the
/// simulated cluster, with the host's containers as Docker would list them for its claims. Only the plan is timed;
/// the Docker list, the operations and the status writes are I/O the simulation does not model here.
/// </summary>
public static class AgentPass
{
    private static readonly ReconcilerOptions Options = new() { HostIp = "0.0.0.0" };

    public static PassCost Run(ClusterState state, SimHost host)
    {
        var me = host.HostId;
        var mine = state.Instances.Values.Where(c => c.Record.Host == me).ToList();
        var local = LocalContainers.Of(mine.Select(c => new ContainerSummary(
            SimulatedCluster.ContainerIdFor(c.Id), "/" + c.Id.ContainerName, "sim/web:1", "running", ContainerSpecFactory.LabelsFor(c.Id, c.Record.ManifestHash, me))));
        var now = DateTimeOffset.UtcNow;
        var input = new PassInput(state, local, me, host.Membership.LeaseId, new FenceState(false, now, host.Membership.Ttl), now,
            new HashSet<InstanceId>(), new Dictionary<InstanceId, DateTimeOffset>(), new RestartBackoff(), Options);

        var timer = Stopwatch.StartNew();
        var plan = PassPlanner.Plan(input);
        var total = timer.Elapsed;

        var claims = plan.Actions.OfType<ClaimAction>().Select(a => a.Id).ToHashSet();
        CheckClaimsFollowThePlacement(state, me, claims);
        return new PassCost(total, Unclaimed(state), claims.Count, plan.Actions.OfType<EnsureAction>().Count(), plan.Actions.OfType<StopAction>().Count(),
            plan.Statuses.Count, mine.Count);
    }

    /// <summary>
    /// The convergence rounds let each unclaimed instance's first-ranked host claim it; a first pass of the agent must
    /// claim exactly those (the others wait their stagger), or the simulation measures something the agents do not do.
    /// </summary>
    private static void CheckClaimsFollowThePlacement(ClusterState state, string me, IReadOnlySet<InstanceId> claimed)
    {
        var expected = PlacementPlanner.PlanAll(state).SelectMany(m => m.Plan).Where(p => p.Best == me).Select(p => p.Id).ToHashSet();
        if (!expected.SetEquals(claimed))
            throw new InvalidOperationException($"host {me}'s pass claims {claimed.Count} instances, the placement ranks it first for {expected.Count}");
    }

    private static int Unclaimed(ClusterState state) =>
        state.Manifests.Values.Sum(m => m.Effective is { } manifest ? Math.Max(0, manifest.Scale - state.ClaimsOf(m.Id).Count(c => c.Id.Instance <= manifest.Scale)) : 0);
}
