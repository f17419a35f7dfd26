using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

public sealed class RebalancePlannerTests
{
    [Fact]
    public void A_new_empty_host_gets_the_fewest_moves_that_restore_the_spread()
    {
        // Seven instances on two hosts (4/3), then a third host joins.
        var b = new ClusterStateBuilder().Host("a").Host("b").Host("c").Manifest("shop", "web", TestManifests.Web(scale: 7));
        foreach (var i in new[] { 1, 3, 5, 7 })
            b.Claim("shop", "web", i, "a");
        foreach (var i in new[] { 2, 4, 6 })
            b.Claim("shop", "web", i, "b");

        var moves = RebalancePlanner.Plan(b.State);

        // 4/3/0 -> 2/3/2: two moves, both off the fullest host, highest instances first.
        Assert.Equal(new[] { ("a", 7), ("a", 5) }, moves.Select(m => (m.FromHost, m.Id.Instance)));
    }

    [Fact]
    public void A_balanced_cluster_needs_no_moves()
    {
        var b = new ClusterStateBuilder().Host("a").Host("b").Manifest("shop", "web", TestManifests.Web(scale: 3))
            .Claim("shop", "web", 1, "a").Claim("shop", "web", 2, "b").Claim("shop", "web", 3, "a");

        Assert.Empty(RebalancePlanner.Plan(b.State));
    }

    [Fact]
    public void Drained_hosts_take_nothing_and_evicted_instances_avoid_their_old_host()
    {
        var b = new ClusterStateBuilder().Host("a").Host("b").Manifest("shop", "web", TestManifests.Web(scale: 1))
            .Put(KeyLayout.Drain("b"), "{}")
            .Put(KeyLayout.Evict("shop", "web", 1), ClusterJson.Serialize(new EvictRecord { Host = "a" }));

        var plan = PlacementPlanner.Plan(b.State, new ManifestId("shop", "web"), TestManifests.Web(scale: 1));

        Assert.Empty(Assert.Single(plan).RankedHosts);
        Assert.Contains("b", b.State.Drains);
        Assert.Equal("a", b.State.Evictions[new InstanceId("shop", "web", 1)]);
    }
}
