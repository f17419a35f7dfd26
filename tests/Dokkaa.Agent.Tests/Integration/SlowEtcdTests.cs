using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// An etcd that answers, but late: every lease renewal takes 4 s against a 6 s TTL. The lease holds (each renewal
/// lands within the TTL, with 2 s to spare), yet the last confirmed one is always older than half the TTL, so the
/// exclusive fence stays closed. Exclusive instances must then wait; everything else must go on as usual. (Before,
/// the reconciler skipped whole passes while fenced: such a host started nothing and stopped nothing, and a deleted
/// manifest's containers ran on for as long as etcd stayed slow.)
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class SlowEtcdTests : AgentTestBase, IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(6);

    public SlowEtcdTests(EtcdFixture etcd, ITestOutputHelper output)
        : base(etcd, output, o => o with { LeaseTtl = Ttl }, inner => new InterceptingEtcd(inner) { KeepAliveDelay = TimeSpan.FromSeconds(4) }) { }

    [Fact]
    public async Task With_renewals_answered_after_half_the_ttl_ordinary_work_goes_on_and_exclusive_instances_wait()
    {
        var slow = (InterceptingEtcd)Agent.GrpcEtcdClient;
        Assert.True(slow.KeepAliveDelay > Ttl / 2 && slow.KeepAliveDelay < Ttl, "the delay must keep the lease alive but the fence closed");
        // Registration itself (a lease grant, not slowed) counts as a renewal: wait until the fence has closed.
        var membership = Agent.Host!.Membership;
        bool Fenced() => DateTimeOffset.UtcNow - membership.LastRenewed > Ttl / 2;
        await Poll.UntilAsync(Fenced, "the last confirmed renewal to be older than half the TTL");
        var lease = membership.LeaseId;

        // Watch the fence for the whole slow phase: what is asserted below only means something if it never opened.
        using var stopSampling = new CancellationTokenSource();
        var opened = 0;
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                if (!Fenced())
                    Interlocked.Increment(ref opened);
                await Task.Delay(50);
            }
        });

        await Ops.SetManifestJsonAsync(App, "lock", WebManifest(1, ""","exclusive":true""", service: "lock"));
        await Ops.SetManifestJsonAsync(App, "web", WebManifest(2));

        // Ordinary work: start, scale down, delete.
        await WaitConvergedAsync("web", TimeSpan.FromSeconds(60));
        Assert.Equal(new[] { $"{App}---web", $"{App}---web---2" }, await RunningNamesAsync("web"));
        await Ops.ScaleAsync(App, "web", 1);
        await Poll.UntilAsync(() => RunningNamesAsync("web"), n => n.Count == 1, "web to scale down to 1 under the slow etcd");
        await Ops.RemoveManifestAsync(App, "web");
        await Poll.UntilAsync(() => RunningNamesAsync("web"), n => n.Count == 0, "the deleted manifest's container to be stopped under the slow etcd");

        // The exclusive one, meanwhile, was never started.
        await stopSampling.CancelAsync();
        await sampler;
        Assert.True(opened == 0 && membership.LeaseId == lease, $"the fence opened {opened} times (lease {lease:x} -> {membership.LeaseId:x}); the test proves nothing about exclusive instances");
        var status = await StatusAsync("lock");
        Assert.Equal((1, 0), (status.Desired, status.Running));
        Assert.DoesNotContain(await ContainersAsync(), c => c.Name.Contains("---lock", StringComparison.Ordinal));

        // etcd recovers: the fence opens and the exclusive instance starts (it was held back by the fence alone).
        slow.KeepAliveDelay = TimeSpan.Zero;
        await WaitConvergedAsync("lock", TimeSpan.FromSeconds(60));
        Assert.Equal(new[] { $"{App}---lock" }, await RunningNamesAsync("lock"));
        Assert.True(Agent.IsRunning);
    }
}
