using System.Diagnostics;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;

namespace Dokkaa.Simulation;

/// <summary>Where one agent's reconcile pass spends its CPU.</summary>
public sealed record PassCost(TimeSpan Total, TimeSpan Usage, TimeSpan Claims, TimeSpan Plan, TimeSpan Statuses, int Planned, int Mine);

/// <summary>
/// The CPU part of one reconcile pass of one agent, step for step as <c>Reconciler.PassAsync</c> does it
/// (host usage, its own claims per manifest, the placement plan and its own rank per unclaimed instance,
/// the manifests whose status it writes), without Docker. A Stopwatch per step is the profile.
/// </summary>
public static class AgentPass
{
    public static PassCost Run(ClusterState state, string me)
    {
        var total = Stopwatch.StartNew();
        var step = Stopwatch.StartNew();
        _ = HostLoads.Of(state);
        var usageTime = step.Elapsed;

        TimeSpan claimsTime = TimeSpan.Zero, planTime = TimeSpan.Zero;
        int planned = 0, mine = 0;
        step.Restart();
        foreach (var claim in state.Instances.Values)
        {
            if (claim.Record.Host == me)
                mine++;
        }

        claimsTime += step.Elapsed;
        step.Restart();
        foreach (var (_, _, plan) in PlacementPlanner.PlanAll(state))
        {
            foreach (var instance in plan)
            {
                planned++;
                // The reconciler asks for its own rank of every unclaimed instance it may claim.
                _ = instance.RankOf(me, FirstPassRanks);
            }
        }

        planTime += step.Elapsed;

        step.Restart();
        foreach (var (id, entry) in state.Manifests)
        {
            if (StatusWriter(state, id) == me)
                _ = StatusCalculator.Compute(state, entry);
        }

        var statusTime = step.Elapsed;
        return new PassCost(total.Elapsed, usageTime, claimsTime, planTime, statusTime, planned, mine);
    }

    /// <summary>Reconciler.RanksThatMatter for an instance first seen unclaimed in this pass: resync 5 s / claim stagger 1 s + 1 (AgentOptions).</summary>
    private const int FirstPassRanks = (5000 / 1000) + 1;

    /// <summary>The reconciler's status writer (StatusCalculator.Writer, cached per set of live hosts).</summary>
    public static string? StatusWriter(ClusterState state, ManifestId id) => StatusCalculator.Writer(state, id);
}
