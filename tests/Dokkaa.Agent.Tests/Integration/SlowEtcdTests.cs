using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// An etcd that answers, but late: every lease renewal takes 2 s against a 3 s TTL. The lease holds (each renewal
/// lands within the TTL), yet the last confirmed one is always older than half the TTL, so the exclusive fence
/// stays closed. Exclusive instances must then stay stopped; everything else must go on as usual. (Before, the
/// reconciler skipped whole passes while fenced: such a host started nothing and stopped nothing, and a deleted
/// manifest's containers ran on for as long as etcd stayed slow.)
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class SlowEtcdTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan KeepAliveDelay = TimeSpan.FromSeconds(2);

    public SlowEtcdTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, decorateEtcd: inner => new SlowKeepAliveEtcd(inner, KeepAliveDelay)) { }

    [Fact]
    public async Task With_renewals_answered_after_half_the_ttl_ordinary_work_goes_on_and_exclusive_instances_wait()
    {
        var ttl = Agent.Options.LeaseTtl;
        Assert.True(KeepAliveDelay > ttl / 2 && KeepAliveDelay < ttl, "the delay must keep the lease alive but the fence closed");
        // Registration itself (a lease grant, not slowed) counts as a renewal: wait until the fence has closed.
        var membership = Agent.Host!.Membership;
        await Poll.UntilAsync(() => DateTimeOffset.UtcNow - membership.LastRenewed > ttl / 2, "the last confirmed renewal to be older than half the TTL");

        await Ops.SetManifestJsonAsync(App, "lock", WebManifest(1, ""","exclusive":true"""));
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2));

        // Ordinary work: start, scale down, delete.
        await WaitConvergedAsync("web", TimeSpan.FromSeconds(60));
        Assert.Equal(new[] { $"{App}---web", $"{App}---web---2" }, await RunningNamesAsync("web"));
        await Ops.ScaleAsync(App, "web", 1);
        await Poll.UntilAsync(() => RunningNamesAsync("web"), n => n.Count == 1, "web to scale down to 1 under the slow etcd");

        // The exclusive one, meanwhile, was never started: the fence stayed closed all along.
        Assert.True(DateTimeOffset.UtcNow - membership.LastRenewed > ttl / 2, "the fence opened during the test; it proves nothing about exclusive instances");
        var status = await StatusAsync("lock");
        Assert.Equal((1, 0), (status.Desired, status.Running));
        Assert.DoesNotContain(await ContainersAsync(), c => c.Name.Contains("---lock", StringComparison.Ordinal));

        await Ops.RemoveManifestAsync(App, "web");
        await Poll.UntilAsync(() => RunningNamesAsync("web"), n => n.Count == 0, "the deleted manifest's container to be stopped under the slow etcd");
        Assert.True(Agent.IsRunning);
    }
}
