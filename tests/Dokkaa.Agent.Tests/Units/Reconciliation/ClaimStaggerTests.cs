using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Xunit;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>Who claims an unclaimed instance: the best-ranked host at once, the n-th ranked one only n claim staggers later.</summary>
public sealed class ClaimStaggerTests
{
    [Fact]
    public async Task The_best_ranked_host_claims_at_once_and_the_others_wait_one_stagger_per_rank()
    {
        await using var cluster = new TestAgents();
        var agents = new Dictionary<string, TestAgent>();
        foreach (var host in new[] { "h1", "h2", "h3" })
            agents[host] = await cluster.StartAsync(host);
        await cluster.PutManifestAsync("shop", "web", TestAgents.Manifest(scale: 1));
        await agents["h1"].CatchUpAsync();
        var ranked = RankedHosts(agents["h1"].View.Current);
        var (second, third) = (agents[ranked[1]], agents[ranked[2]]);

        // The hosts ranked second and third do not claim yet; each sleeps exactly until its turn.
        Assert.Equal(TimeSpan.FromSeconds(2), await third.PassAsync());
        Assert.Equal(TimeSpan.FromSeconds(1), await second.PassAsync());
        Assert.Null(second.Claim("shop", "web", 1));

        // The best one never ran a pass (dead, or slow): one stagger later the second claims it, the third still waits.
        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), await third.PassAsync());
        Assert.Null(third.Claim("shop", "web", 1));
        await second.PassAsync();
        Assert.Equal(second.HostId, second.Claim("shop", "web", 1)?.Record.Host);

        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        await third.PassAsync();
        Assert.Equal(second.HostId, third.Claim("shop", "web", 1)?.Record.Host);
        Assert.Empty(third.Docker.Containers);
    }

    [Fact]
    public async Task The_best_ranked_host_claims_in_its_first_pass_and_starts_the_container_in_the_next()
    {
        await using var cluster = new TestAgents();
        var agents = new Dictionary<string, TestAgent>();
        foreach (var host in new[] { "h1", "h2" })
            agents[host] = await cluster.StartAsync(host);
        await cluster.PutManifestAsync("shop", "web", TestAgents.Manifest(scale: 1));
        await agents["h1"].CatchUpAsync();
        var best = agents[RankedHosts(agents["h1"].View.Current)[0]];

        await best.PassAsync();
        Assert.Equal((best.HostId, InstanceState.Starting), (best.Claim("shop", "web", 1)?.Record.Host, best.Claim("shop", "web", 1)?.Record.State));
        Assert.Empty(best.Docker.Containers);

        await best.PassAsync();
        var container = best.Container("shop", "web", 1);
        Assert.True(container?.Running);
        Assert.Equal((InstanceState.Running, container!.Id), (best.Claim("shop", "web", 1)?.Record.State, best.Claim("shop", "web", 1)?.Record.ContainerId));
    }

    private static IReadOnlyList<string> RankedHosts(ClusterState state)
    {
        var id = new ManifestId("shop", "web");
        return PlacementPlanner.Plan(state, id, state.Manifests[id].Effective!)[0].RankedHosts;
    }
}
