using System.Net;
using System.Text.Json;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Dokkaa.WebConsole.Hosting;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary>
/// The console on an etcd that takes only TLS clients with a certificate and has auth on: it reads, writes, and
/// shows the hosts' heartbeats (which come from their leases) through the same client the agent uses.
/// </summary>
public sealed class SecuredEtcdTests(SecureEtcdFixture etcd) : IClassFixture<SecureEtcdFixture>
{
    private const string Web = """{"image":"dockerfile/nginx","scale":1,"services":{"web":80}}""";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_console_writes_reads_and_shows_heartbeats_over_TLS_and_auth()
    {
        using var client = etcd.CreateClient();
        await using var server = await ConsoleServer.StartAsync(client, new ConsoleServerOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Token = ConsoleFixture.Token,
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        });
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = Wait };
        var cluster = new ClusterWriter(client);
        var app = ClusterWriter.NewName();
        var host = ClusterWriter.NewName('h');
        try
        {
            using var created = await http.SendAsync(ConsoleFixture.Request(HttpMethod.Put, ConsoleFixture.ManifestPath(app, "web"), Web));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Single((await client.RangeAsync(KeyLayout.Manifest(app, "web"))).Kvs);

            await cluster.PutHostAsync(host, "10.8.0.3", ttlSeconds: 45);
            await using var events = await EventStreamReader.OpenAsync(http);
            var beat = await events.UntilAsync("heartbeat", d => d.GetProperty("hosts").TryGetProperty(host, out _), Wait);
            Assert.Equal(45, beat.GetProperty("hosts").GetProperty(host).GetProperty("ttlSeconds").GetInt64());

            var manifest = JsonDocument.Parse(await http.GetStringAsync(ConsoleFixture.ManifestPath(app, "web"))).RootElement;
            Assert.Equal("dockerfile/nginx", manifest.GetProperty("manifest").GetProperty("image").GetString());
        }
        finally
        {
            await client.DeleteAsync(KeyLayout.Manifest(app, "web"));
            await client.DeleteAsync(KeyLayout.Host(host));
        }
    }
}
