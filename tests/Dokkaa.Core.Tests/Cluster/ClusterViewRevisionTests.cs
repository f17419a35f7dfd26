using System.Collections.Concurrent;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Tests.Support;
using Dokkaa.Testing.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

/// <summary>The view publishes whole revisions: a lease expiry that deletes many keys at once is seen all at once.</summary>
public sealed class ClusterViewRevisionTests
{
    [Fact]
    public async Task A_revision_of_many_events_is_published_whole()
    {
        var etcd = new InMemoryEtcd();
        var lease = await etcd.LeaseGrantAsync(30);
        await etcd.PutAsync(KeyLayout.Manifest("shop", "web"), ManifestSerializer.ToCanonicalJson(TestManifests.Web(3)));

        var view = new ClusterView(etcd);
        await view.LoadAsync(CancellationToken.None);
        var published = new ConcurrentQueue<ClusterState>();
        view.Changed += published.Enqueue;
        using var stop = new CancellationTokenSource();
        var follow = view.FollowAsync(stop.Token);
        try
        {
            await etcd.PutAsync(KeyLayout.Host("h1"), HostJson(), lease.Id);
            for (var i = 1; i <= 3; i++)
                await etcd.PutAsync(KeyLayout.Instance("shop", "web", i), ClaimJson(), lease.Id);
            await view.WaitForRevisionAsync(await etcd.PutAsync("/dokkaa/test/barrier", ""), CancellationToken.None);
            Assert.Equal(3, view.Current.Instances.Count);

            // Revoking the lease deletes the host and its three claims in one revision.
            await etcd.LeaseRevokeAsync(lease.Id);
            var after = await etcd.PutAsync("/dokkaa/test/barrier", "");
            await view.WaitForRevisionAsync(after, CancellationToken.None);

            Assert.Empty(view.Current.Hosts);
            Assert.Empty(view.Current.Instances);
            // No state was published with the host gone and its claims still there (or the other way round).
            Assert.DoesNotContain(published, s => s.Hosts.Count == 1 && s.Instances.Count < 3 && s.Revision > after - 2);
            Assert.DoesNotContain(published, s => s.Hosts.Count == 0 && s.Instances.Count > 0);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow);
        }
    }

    private static string HostJson() =>
        ClusterJson.Serialize(new HostRecord { Address = "127.0.0.1", AgentVersion = "0.1.0", Labels = new Dictionary<string, string>() });

    private static string ClaimJson() =>
        ClusterJson.Serialize(new InstanceRecord { Host = "h1", Address = "127.0.0.1", ManifestHash = "x", State = InstanceState.Running, Ports = new Dictionary<string, int>() });
}
