using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Integration;

/// <summary>Tab completion from the live cluster, and nothing (quickly) from a cluster that does not answer.</summary>
public sealed class CompletionTests : IClassFixture<CmdletEtcdFixture>, IAsyncLifetime
{
    private readonly CmdletEtcdFixture _etcd;

    public CompletionTests(CmdletEtcdFixture etcd) => _etcd = etcd;

    public async Task InitializeAsync()
    {
        var ops = _etcd.Operations;
        await ops.SetManifestAsync("dummy", "nginx", StandInAgent.Nginx());
        await ops.SetManifestJsonAsync("dummy", "crawler", """{ "image": "dockerfile/ubuntu" }""");
        await ops.SetManifestJsonAsync("shop", "web", """{ "image": "shop/web", "services": { "web": 8080, "metrics": 9100 } }""");
        await ops.SetManifestJsonAsync("shopfront", "nginx", """{ "image": "nginx", "services": { "nginx": 80 } }""");
        await _etcd.PutHostAsync("node-a", "10.0.0.1");
        await _etcd.PutHostAsync("node-b", "10.0.0.2");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Dokkaa.Core.Operations.ClusterOperations Ops => _etcd.Cluster.CompletionOperations;

    [Fact]
    public void Apps_complete_by_prefix_sorted_and_distinct()
    {
        Assert.Equal(["dummy", "shop", "shopfront"], Completions.Apps(Ops, ""));
        Assert.Equal(["shop", "shopfront"], Completions.Apps(Ops, "sh"));
        Assert.Equal(["shop", "shopfront"], Completions.Apps(Ops, "'SH"));
        Assert.Empty(Completions.Apps(Ops, "x"));
    }

    [Fact]
    public void Names_complete_within_the_app_already_typed()
    {
        Assert.Equal(["crawler", "nginx"], Completions.Names(Ops, "dummy", ""));
        Assert.Equal(["nginx"], Completions.Names(Ops, "dummy", "n"));
        Assert.Equal(["crawler", "nginx", "web"], Completions.Names(Ops, null, ""));
        Assert.Equal(["nginx", "web"], Completions.Names(Ops, "shop*", ""));
    }

    [Fact]
    public void Hosts_and_services_complete()
    {
        Assert.Equal(["node-a", "node-b"], Completions.Hosts(Ops, "node"));
        Assert.Equal(["metrics", "nginx", "web"], Completions.Services(Ops, null, ""));
        Assert.Equal(["metrics", "web"], Completions.Services(Ops, "shop", ""));
    }

    [Fact]
    public void A_refused_connection_completes_nothing_at_once()
    {
        var dead = DokkaaCluster.Parse($"http://127.0.0.1:{Dokkaa.Testing.FreePort.Tcp()}");
        var clock = Stopwatch.StartNew();
        Assert.Empty(Completions.Apps(dead.CompletionOperations, ""));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_cluster_that_accepts_but_never_answers_completes_nothing_within_the_limit()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var acceptor = Task.Run(async () =>
        {
            try
            {
                while (true)
                    accepted.Add(await listener.AcceptSocketAsync(stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });
        var silent = DokkaaCluster.Parse($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

        var clock = Stopwatch.StartNew();
        Assert.Empty(Completions.Names(silent.CompletionOperations, null, ""));
        Assert.Empty(Completions.Hosts(silent.CompletionOperations, "", TimeSpan.FromMilliseconds(300)));
        var elapsed = clock.Elapsed;
        Assert.True(elapsed < CompletionTimeouts.Total + TimeSpan.FromMilliseconds(300) + TimeSpan.FromSeconds(1.5), $"took {elapsed}");
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(300), "it did wait for an answer");

        stop.Cancel();
        listener.Stop();
        foreach (var socket in accepted)
            socket.Dispose();
    }
}
