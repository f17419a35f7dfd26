using Dokkaa.Core.Cluster;
using Dokkaa.Core.Operations;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>
/// Get-DokkaaContainer, Get-DokkaaHost, Get-DokkaaStatus, Resolve-DokkaaService and Connect-DokkaaCluster's
/// check, over records written the way the agents write them.
/// </summary>
public sealed class ClusterQueriesTests : IClassFixture<CmdletEtcdFixture>, IAsyncLifetime
{
    private readonly CmdletEtcdFixture _etcd;

    public ClusterQueriesTests(CmdletEtcdFixture etcd) => _etcd = etcd;

    private ClusterOperations Ops => _etcd.Operations;

    public async Task InitializeAsync()
    {
        // The seed's example on two hosts, plus an app with a failing instance.
        await _etcd.PutHostAsync("h1", "10.0.0.11");
        await _etcd.PutHostAsync("h2", "10.0.0.12", capacity: 8, draining: true);
        await Ops.SetManifestAsync("dummy", "nginx", StandInAgent.Nginx(2));
        await Ops.SetManifestJsonAsync("dummy", "crawler", """{ "image": "dockerfile/ubuntu", "links": ["nginx"] }""");
        await Ops.SetManifestJsonAsync("shop", "web", """{ "image": "shop/web:1.4", "scale": 2, "services": { "web": 8080, "nginx": 80 } }""");
        await _etcd.PutInstanceAsync("dummy", "nginx", 1, "h2", "10.0.0.12", InstanceState.Running, new Dictionary<string, int> { ["80/tcp"] = 32768 });
        await _etcd.PutInstanceAsync("dummy", "nginx", 2, "h1", "10.0.0.11", InstanceState.Running, new Dictionary<string, int> { ["80/tcp"] = 32770 });
        await _etcd.PutInstanceAsync("dummy", "crawler", 1, "h1", "10.0.0.11", InstanceState.Running, new Dictionary<string, int>());
        await _etcd.PutInstanceAsync("shop", "web", 1, "h1", "10.0.0.11", InstanceState.Running, new Dictionary<string, int> { ["8080/tcp"] = 33000, ["80/tcp"] = 33001 });
        await _etcd.PutInstanceAsync("shop", "web", 2, "h2", "10.0.0.12", InstanceState.Failed, new Dictionary<string, int>(), error: "command exited at once with code 1");
        await _etcd.PutStatusAsync("dummy", "nginx", running: 2, pending: 0);
        await _etcd.PutStatusAsync("shop", "web", running: 1, pending: 0, outdated: 0, "instance 2: command exited at once with code 1");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Containers_filtered_by_app_name_and_host_with_wildcards()
    {
        var dummy = await Ops.GetContainersAsync("dummy");
        Assert.Equal(["dummy---crawler", "dummy---nginx", "dummy---nginx---2"], dummy.Select(c => c.ContainerName).Order());
        Assert.Equal(32768, dummy.Single(c => c.Name == "nginx" && c.Instance == 1).Ports["80/tcp"]);

        Assert.Equal(["crawler/1", "nginx/2", "web/1"], (await Ops.GetContainersAsync(host: "h1")).Select(c => $"{c.Name}/{c.Instance}").Order());
        Assert.Equal(["nginx/1", "web/2"], (await Ops.GetContainersAsync("*", "*", "h?")).Where(c => c.Host == "h2").Select(c => $"{c.Name}/{c.Instance}").Order());
        var failed = Assert.Single(await Ops.GetContainersAsync("sh*", "web", "h2"));
        Assert.Equal(InstanceState.Failed, failed.State);
        Assert.Equal("command exited at once with code 1", failed.Error);
        Assert.Empty(await Ops.GetContainersAsync("nothing"));
    }

    [Fact]
    public async Task Hosts_with_their_instance_counts()
    {
        var hosts = await Ops.GetHostsAsync();
        Assert.Equal(["h1", "h2"], hosts.Select(h => h.Name));
        Assert.Equal(3, hosts.Single(h => h.Name == "h1").Instances);
        Assert.Equal(2, hosts.Single(h => h.Name == "h2").Instances);
        var h2 = Assert.Single(await Ops.GetHostsAsync("*2"));
        Assert.True(h2.Draining);
        Assert.Equal(8, h2.Capacity);
        Assert.Equal("10.0.0.12", h2.Address);
    }

    [Fact]
    public async Task Status_of_each_manifest_with_the_agents_errors()
    {
        var all = await Ops.GetStatusAsync();
        Assert.True(all.Single(s => s.Name == "nginx").Converged);
        var web = Assert.Single(await Ops.GetStatusAsync("shop", "web"));
        Assert.False(web.Converged);
        Assert.Equal((2, 1), (web.Desired, web.Running));
        Assert.Contains("command exited at once", Assert.Single(web.Errors), StringComparison.Ordinal);
        var crawler = Assert.Single(await Ops.GetStatusAsync("dummy", "crawler"));
        Assert.Equal(1, crawler.Pending);
        Assert.Contains("no agent has reported", crawler.Errors.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_resolve_to_the_running_instances_host_ports()
    {
        var (service, app) = ServiceName.Parse("nginx.dummy", null);
        var nginx = await Ops.ResolveAsync(service, app);
        Assert.Equal(["10.0.0.11:32770", "10.0.0.12:32768"], nginx.Select(e => $"{e.Address}:{e.Port}").Order());
        Assert.All(nginx, e => Assert.Equal((80, "tcp"), (e.ContainerPort, e.Protocol)));

        // Without an app, every app that provides the service; the failed shop instance is left out.
        var everywhere = await Ops.ResolveAsync("nginx");
        Assert.Equal(["dummy/nginx/1", "dummy/nginx/2", "shop/web/1"], everywhere.Select(e => $"{e.App}/{e.Name}/{e.Instance}").Order());
        Assert.Empty(await Ops.ResolveAsync("nosuchservice"));
    }

    [Fact]
    public async Task Connect_checks_that_the_cluster_answers()
    {
        Assert.Equal(2, await ClusterProbe.CheckAsync(_etcd.Cluster));

        var dead = DokkaaCluster.Parse($"http://127.0.0.1:{Dokkaa.Testing.FreePort.Tcp()}");
        var e = await Assert.ThrowsAsync<DokkaaException>(() => ClusterProbe.CheckAsync(dead));
        Assert.Equal("DokkaaClusterUnreachable", e.ErrorId);
        Assert.Equal("ConnectionError", ErrorIds.CategoryOf(e.Kind));
    }
}
