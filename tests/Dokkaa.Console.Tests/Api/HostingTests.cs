using System.Net;
using Dokkaa.Core.Cluster;
using Dokkaa.WebConsole.Hosting;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary>How another process (an agent) hosts the console: on the <see cref="ClusterView"/> it already follows.</summary>
public sealed class HostingTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task HostedOnTheCallersViewServesItAndLeavesItRunning()
    {
        var view = new ClusterView(console.Etcd);
        await view.LoadAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var follow = Task.Run(() => view.FollowAsync(stop.Token));
        var app = ClusterWriter.NewName();

        await using (var server = await ConsoleServer.StartAsync(console.Etcd, new ConsoleServerOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Token = ConsoleFixture.Token,
        }, view))
        {
            using var http = new HttpClient { BaseAddress = server.Url };
            using var created = await http.SendAsync(ConsoleFixture.Request(HttpMethod.Put, ConsoleFixture.ManifestPath(app, "web"), """{"image":"dockerfile/nginx"}"""));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.True(view.Current.Manifests.ContainsKey(new ManifestId(app, "web")));
            Assert.Contains(app, await http.GetStringAsync("/api/apps"), StringComparison.Ordinal);
        }

        // The console is gone; the caller's view still follows the watch.
        var revision = await console.Cluster.PutManifestAsync(app, "db", """{"image":"postgres"}""");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await view.WaitForRevisionAsync(revision, limit.Token);
        Assert.True(view.Current.Manifests.ContainsKey(new ManifestId(app, "db")));
        Assert.False(follow.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow);
    }
}
