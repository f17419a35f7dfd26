using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Units.Reconciliation;

/// <summary>What a host does when its lease goes unconfirmed: exclusive instances stop, and a copy another host took over goes.</summary>
public sealed class FenceAndPartitionTests
{
    [Fact]
    public async Task An_exclusive_instance_stops_when_the_lease_goes_unconfirmed_and_starts_again_once_it_is_renewed()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartRunningAsync("h1", "shop", "lock", TestAgents.Manifest(scale: 1, exclusive: true));
        var container = agent.Container("shop", "lock", 1)!;
        Assert.True(container.Running);

        // Half the TTL without a confirmed renewal: the fence stops it, and a pass neither starts nor counts it.
        cluster.Clock.Advance(TestAgents.Ttl / 2 + TimeSpan.FromMilliseconds(1));
        Assert.True(agent.Fence.CutOff);
        await agent.Fence.FenceAsync(CancellationToken.None);
        Assert.False(container.Running);
        Assert.Equal(TimeSpan.FromSeconds(1), await agent.PassAsync());
        Assert.False(container.Running);

        // Renewed (the keepalive's first renewal is immediate): started again, not reported as a crash.
        cluster.Run(agent.Membership.KeepAliveAsync);
        await Poll.UntilAsync(() => !agent.Fence.CutOff, "the lease renewal to open the fence");
        await agent.PassAsync();
        Assert.True(container.Running);
        Assert.Equal(2, container.Starts);
        var claim = agent.Claim("shop", "lock", 1);
        Assert.Equal((InstanceState.Running, 0, (string?)null), (claim?.Record.State, claim?.Record.Restarts, claim?.Record.Error));
    }

    [Fact]
    public async Task While_fenced_an_unclaimed_exclusive_instance_is_not_claimed()
    {
        await using var cluster = new TestAgents();
        var agent = await cluster.StartAsync("h1");
        cluster.Clock.Advance(TestAgents.Ttl / 2 + TimeSpan.FromMilliseconds(1));
        await cluster.PutManifestAsync("shop", "lock", TestAgents.Manifest(scale: 1, exclusive: true));
        await cluster.PutManifestAsync("shop", "web", TestAgents.Manifest(scale: 1));

        await agent.PassAsync();

        Assert.Null(agent.Claim("shop", "lock", 1));
        Assert.Equal("h1", agent.Claim("shop", "web", 1)?.Record.Host);
    }

    [Fact]
    public async Task After_a_partition_longer_than_the_ttl_the_copy_another_host_took_over_is_removed_and_the_old_claim_touches_nothing()
    {
        await using var cluster = new TestAgents();
        var h1 = await cluster.StartRunningAsync("h1", "shop", "web", TestAgents.Manifest(scale: 1));
        var stale = h1.Claim("shop", "web", 1)!;
        var copy = h1.Container("shop", "web", 1)!;

        // h1 is cut off past its TTL: its lease, host key and claim expire, and h2 (up since) takes the instance over.
        cluster.Clock.Advance(TestAgents.Ttl + TimeSpan.FromSeconds(1));
        cluster.Etcd.ExpireLeases();
        var h2 = await cluster.StartAsync("h2");
        await h2.PassAsync();
        await h2.PassAsync();
        Assert.Equal("h2", h2.Claim("shop", "web", 1)?.Record.Host);
        Assert.True(h2.Container("shop", "web", 1)?.Running);

        // The partition heals: h1 registers again under a new lease. Before its view catches up, re-attaching the
        // old claim fails its compare, and the operation leaves the copy alone (restarting it would run the instance twice).
        await h1.Membership.RegisterAsync(CancellationToken.None);
        var calls = h1.Docker.Calls.Count;
        var summary = new Agent.Docker.ContainerSummary(copy.Id, "/" + copy.Name, copy.Spec.Image, "exited", copy.Spec.Labels);
        await h1.Operations.EnsureAsync(stale, h1.View.Current.Manifests[stale.Id.Manifest].Effective!, stale.Record.ManifestHash, summary, h1.View.Current, CancellationToken.None);
        Assert.Equal(calls, h1.Docker.Calls.Count);
        Assert.Equal("h2", h2.Claim("shop", "web", 1)?.Record.Host);

        // Its next pass removes the copy; h2's stays.
        await h1.PassAsync();
        Assert.Empty(h1.Docker.Containers);
        Assert.False(copy.Running);
        Assert.True(h2.Container("shop", "web", 1)?.Running);
        Assert.Equal("h2", h1.Claim("shop", "web", 1)?.Record.Host);
    }
}
