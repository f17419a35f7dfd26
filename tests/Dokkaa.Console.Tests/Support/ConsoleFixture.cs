using System.Net.Http.Headers;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Dokkaa.WebConsole.Hosting;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Support;

/// <summary>
/// One real etcd and one console server (on a free loopback port, with a known token) per test class. Tests
/// make their own app names, so they never see each other's manifests.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Token = "test-token-0123456789abcdef";

    public EtcdServer EtcdServer { get; private set; } = null!;

    public GrpcEtcdClient Etcd { get; private set; } = null!;

    public ClusterWriter Cluster { get; private set; } = null!;

    public ConsoleServer Server { get; private set; } = null!;

    /// <summary>A client with no token (reads from this machine are open).</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        EtcdServer = await EtcdServer.StartAsync();
        Etcd = EtcdClients.Create(EtcdServer.Endpoint);
        Cluster = new ClusterWriter(Etcd);
        Server = await ConsoleServer.StartAsync(Etcd, new ConsoleServerOptions
        {
            Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
            Token = Token,
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        });
        Http = new HttpClient { BaseAddress = Server.Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Server is not null)
            await Server.DisposeAsync();
        Etcd?.Dispose();
        if (EtcdServer is not null)
            await EtcdServer.DisposeAsync();
    }

    /// <summary>A request with <c>Authorization: Bearer</c> <paramref name="token"/> (the right one unless given).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? body = null, string? token = Token)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static string ManifestPath(string app, string name) => $"/api/apps/{app}/{name}/manifest";
}
