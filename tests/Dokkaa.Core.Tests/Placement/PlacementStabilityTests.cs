using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

/// <summary>
/// Agents plan on snapshots taken while claims land one by one, each agent at its own moment. The plan must not
/// move under them: claims that follow the plan leave the rest of it as it was, whichever subset has landed.
/// </summary>
public sealed class PlacementStabilityTests
{
    private static readonly ManifestId Web = new("shop", "web");

    private static ClusterStateBuilder ThreeHosts() => new ClusterStateBuilder().Host("h1").Host("h2").Host("h3");

    private static Dictionary<int, string> FirstChoices(IEnumerable<PlannedInstance> plan) =>
        plan.Where(p => p.RankedHosts.Count > 0).ToDictionary(p => p.Id.Instance, p => p.RankedHosts[0]);

    [Theory]
    [InlineData(7)]
    [InlineData(6)]
    [InlineData(4)]
    public void Claims_that_follow_the_plan_do_not_change_the_rest_of_it(int scale)
    {
        var manifest = TestManifests.Web(scale);
        var empty = ThreeHosts().Manifest("shop", "web", manifest);
        var original = FirstChoices(PlacementPlanner.Plan(empty.State, Web, manifest));

        // Every subset of instances claimed where the plan put them.
        for (var subset = 1; subset < 1 << scale; subset++)
        {
            var b = ThreeHosts().Manifest("shop", "web", manifest);
            for (var i = 1; i <= scale; i++)
            {
                if ((subset & (1 << (i - 1))) != 0)
                    b.Claim("shop", "web", i, original[i]);
            }

            var replanned = FirstChoices(PlacementPlanner.Plan(b.State, Web, manifest));
            Assert.All(replanned, kv => Assert.Equal(original[kv.Key], kv.Value));
        }
    }

    [Fact]
    public void Scale_down_keeps_the_spread_of_a_plan_followed_to_the_letter()
    {
        var manifest = TestManifests.Web(7);
        var plan = FirstChoices(PlacementPlanner.Plan(ThreeHosts().Manifest("shop", "web", manifest).State, Web, manifest));

        // Instances 1..3 (what scale 3 keeps) are on three different hosts.
        Assert.Equal(3, Enumerable.Range(1, 3).Select(i => plan[i]).Distinct().Count());
    }

    [Fact]
    public void A_manifest_is_planned_after_the_ones_that_came_before_it_whatever_their_claims()
    {
        var api = TestManifests.Web(3);
        var web = TestManifests.Web(6);
        var b = ThreeHosts().Manifest("shop", "web", web).Manifest("shop", "api", api);
        var all = PlacementPlanner.PlanAll(b.State);
        Assert.Equal(new[] { "web", "api" }, all.Select(p => p.Id.Name));
        var webPlan = FirstChoices(all[0].Plan);
        var apiPlan = FirstChoices(all[1].Plan);
        Assert.Equal(new[] { 2, 2, 2 }, webPlan.Values.GroupBy(h => h).Select(g => g.Count()));
        Assert.Equal(3, apiPlan.Values.Distinct().Count());

        // Any part of web's claims landed (as planned): api's plan stays, even though "api" sorts before "web".
        foreach (var landed in new[] { new[] { 4 }, new[] { 1, 2 }, new[] { 3, 5, 6 }, new[] { 1, 2, 3, 4, 5, 6 } })
        {
            var partial = ThreeHosts().Manifest("shop", "web", web).Manifest("shop", "api", api);
            foreach (var i in landed)
                partial.Claim("shop", "web", i, webPlan[i]);
            var replanned = PlacementPlanner.PlanAll(partial.State).Single(p => p.Id.Name == "api");
            Assert.Equal(apiPlan, FirstChoices(replanned.Plan));
        }
    }

    [Fact]
    public void A_burst_of_single_instance_manifests_spreads_by_load()
    {
        var b = ThreeHosts();
        for (var i = 1; i <= 30; i++)
            b.Manifest("burst", $"m{i:00}", TestManifests.Web(1));

        var firsts = PlacementPlanner.PlanAll(b.State).SelectMany(p => p.Plan).Select(p => p.RankedHosts[0]).ToList();

        Assert.Equal(new[] { 10, 10, 10 }, firsts.GroupBy(h => h).Select(g => g.Count()));
    }

    [Fact]
    public void After_a_host_dies_its_instances_go_where_the_manifest_has_fewest()
    {
        // Six instances were 2/2/2 on h1..h3; h3 died (gone from the hosts, its claims with it).
        var manifest = TestManifests.Web(6);
        var b = new ClusterStateBuilder().Host("h1").Host("h2").Manifest("shop", "web", manifest)
            .Claim("shop", "web", 1, "h1").Claim("shop", "web", 4, "h1").Claim("shop", "web", 2, "h2").Claim("shop", "web", 5, "h2");

        var plan = FirstChoices(PlacementPlanner.Plan(b.State, Web, manifest));

        Assert.Equal(new[] { 3, 6 }, plan.Keys.Order());
        Assert.Equal(new[] { "h1", "h2" }, plan.Values.Order(StringComparer.Ordinal));
    }
}
