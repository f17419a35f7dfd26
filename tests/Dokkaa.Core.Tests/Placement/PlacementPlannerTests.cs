using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

public sealed class PlacementPlannerTests
{
    private static readonly ManifestId Nginx = new("dummy", "nginx");

    private static IReadOnlyList<PlannedInstance> Plan(ClusterStateBuilder b, int scale) =>
        PlacementPlanner.Plan(b.State, Nginx, TestManifests.Web(scale));

    private static int[] FirstChoiceCounts(IReadOnlyList<PlannedInstance> plan) =>
        plan.GroupBy(p => p.RankedHosts[0]).Select(g => g.Count()).OrderDescending().ToArray();

    private static ClusterStateBuilder ThreeHosts() => new ClusterStateBuilder().Host("a").Host("b").Host("c");

    [Fact]
    public void Scale_seven_over_three_hosts_spreads_three_two_two()
    {
        var plan = Plan(ThreeHosts(), 7);

        Assert.Equal(Enumerable.Range(1, 7), plan.Select(p => p.Id.Instance));
        Assert.Equal(new[] { 3, 2, 2 }, FirstChoiceCounts(plan));
    }

    [Fact]
    public void Scale_three_over_three_hosts_puts_one_on_each()
    {
        var plan = Plan(ThreeHosts(), 3);

        Assert.Equal(new[] { "a", "b", "c" }, plan.Select(p => p.RankedHosts[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_eligible_host_is_ranked_so_a_dead_best_host_can_be_passed_over()
    {
        Assert.All(Plan(ThreeHosts(), 4), p => Assert.Equal(new[] { "a", "b", "c" }, p.RankedHosts.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Claimed_instances_are_not_planned_and_count_against_their_host()
    {
        var b = ThreeHosts().Claim("dummy", "nginx", 1, "a").Claim("dummy", "nginx", 2, "a");

        var plan = Plan(b, 4);

        Assert.Equal(new[] { 3, 4 }, plan.Select(p => p.Id.Instance));
        Assert.Equal(new[] { "b", "c" }, plan.Select(p => p.RankedHosts[0]).Order(StringComparer.Ordinal));
        Assert.All(plan, p => Assert.Equal("a", p.RankedHosts[^1]));
    }

    [Fact]
    public void Fewest_of_this_manifest_comes_before_least_load()
    {
        // a runs three other containers but none of nginx; b and c already run one nginx each.
        var b = ThreeHosts()
            .Claim("dummy", "nginx", 1, "b").Claim("dummy", "nginx", 2, "c")
            .Claim("dummy", "db", 1, "a").Claim("dummy", "db", 2, "a").Claim("dummy", "db", 3, "a");

        Assert.Equal("a", Assert.Single(Plan(b, 3)).RankedHosts[0]);
    }

    [Fact]
    public void Least_loaded_host_wins_between_equal_counts_of_this_manifest()
    {
        var b = ThreeHosts().Claim("dummy", "db", 1, "a").Claim("dummy", "db", 2, "b").Claim("other", "x", 1, "b");

        Assert.Equal(new[] { "c", "a", "b" }, Assert.Single(Plan(b, 1)).RankedHosts);
    }

    [Fact]
    public void Claims_above_scale_do_not_count_as_this_manifest()
    {
        // Instance 5 on a is about to be removed (scale went down); it is still load, but not a reason to avoid a.
        var b = new ClusterStateBuilder().Host("a").Host("b")
            .Claim("dummy", "nginx", 1, "b").Claim("dummy", "nginx", 5, "a").Claim("dummy", "db", 1, "b");

        Assert.Equal("a", Assert.Single(Plan(b, 2)).RankedHosts[0]);
    }

    [Fact]
    public void Draining_hosts_are_not_ranked()
    {
        var b = new ClusterStateBuilder().Host("a", draining: true).Host("b").Host("c");

        var plan = Plan(b, 5);

        Assert.All(plan, p => Assert.DoesNotContain("a", p.RankedHosts));
        Assert.Equal(new[] { 3, 2 }, FirstChoiceCounts(plan));
    }

    [Fact]
    public void Full_hosts_are_not_ranked()
    {
        var b = new ClusterStateBuilder().Host("a", capacity: 2).Host("b").Claim("dummy", "db", 1, "a").Claim("dummy", "db", 2, "a");

        Assert.All(Plan(b, 3), p => Assert.Equal(new[] { "b" }, p.RankedHosts));
    }

    [Fact]
    public void Planned_instances_use_up_capacity()
    {
        var b = new ClusterStateBuilder().Host("a", capacity: 1).Host("b", capacity: 2);

        var plan = Plan(b, 4);

        Assert.Equal(new[] { 2, 1 }, FirstChoiceCounts(plan.Take(3).ToList()));
        Assert.Empty(plan[3].RankedHosts);
    }

    [Fact]
    public void Claims_on_hosts_that_are_gone_are_ignored()
    {
        var b = new ClusterStateBuilder().Host("a").Claim("dummy", "db", 1, "ghost").Claim("dummy", "nginx", 1, "ghost");

        Assert.Equal(new[] { "a" }, Assert.Single(Plan(b, 2)).RankedHosts);
    }

    [Fact]
    public void Without_hosts_every_instance_is_planned_with_an_empty_ranking()
    {
        var plan = Plan(new ClusterStateBuilder(), 3);

        Assert.Equal(3, plan.Count);
        Assert.All(plan, p => Assert.Empty(p.RankedHosts));
    }

    [Fact]
    public void Scale_zero_plans_nothing() => Assert.Empty(Plan(ThreeHosts(), 0));

    [Fact]
    public void Every_agent_computes_the_same_plan_from_the_same_state()
    {
        // Two agents that saw the same keys arrive in different orders hold equal snapshots.
        var one = new ClusterStateBuilder().Host("h1").Host("h2").Host("h3").Host("h4").Claim("dummy", "nginx", 3, "h2").Claim("dummy", "db", 1, "h4");
        var two = new ClusterStateBuilder().Claim("dummy", "db", 1, "h4").Host("h4").Host("h3").Claim("dummy", "nginx", 3, "h2").Host("h2").Host("h1");

        var first = Plan(one, 9);
        var second = Plan(two, 9);

        Assert.Equal(first.Select(p => (p.Id, string.Join(",", p.RankedHosts))), second.Select(p => (p.Id, string.Join(",", p.RankedHosts))));
        Assert.Equal(first.Select(p => string.Join(",", p.RankedHosts)), Plan(one, 9).Select(p => string.Join(",", p.RankedHosts)));
    }
}
