using System.Net;
using System.Net.Sockets;
using System.Text;
using Dokkaa.Agent.Ambassador;
using Dokkaa.Core.Discovery;
using Dokkaa.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Dokkaa.Agent.Tests.Ambassador;

/// <summary>The ambassador over real sockets on loopback, with backends the test runs itself.</summary>
public sealed class AmbassadorServerTests : IAsyncLifetime
{
    private readonly List<TcpListener> _backends = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _dataDir = Directory.CreateTempSubdirectory("dokkaa-amb-").FullName;
    private IReadOnlyList<ServiceEndpoint> _endpoints = Array.Empty<ServiceEndpoint>();
    private AmbassadorServer _server = null!;

    public Task InitializeAsync()
    {
        var first = FreePort.Tcp();
        _server = new AmbassadorServer(IPAddress.Loopback, new AmbassadorPortBook(_dataDir, first, first + 50), (_, _) => _endpoints, "local", NullLogger.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var backend in _backends)
            backend.Stop();
        await _server.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Connections_are_spread_round_robin_over_live_instances_and_dead_ones_are_skipped()
    {
        var a = StartBackend("A");
        var b = StartBackend("B");
        var dead = Endpoint("remote", FreePort.Tcp(), 3);
        _endpoints = new[] { dead, Endpoint("remote", a, 1), Endpoint("remote", b, 2) };
        var port = await _server.EnsureListenerAsync("web", "shop", CancellationToken.None);

        var answers = new List<string>();
        for (var i = 0; i < 12; i++)
            answers.Add(await AskAsync(port));

        Assert.All(answers, answer => Assert.True(answer is "A" or "B", $"every connection reached a live instance (got '{answer}')"));
        Assert.Contains("A", answers);
        Assert.Contains("B", answers);
    }

    [Fact]
    public async Task Instances_on_this_host_are_preferred_and_a_move_is_followed_by_the_next_connection()
    {
        var a = StartBackend("A");
        var b = StartBackend("B");
        _endpoints = new[] { Endpoint("remote", a, 1), Endpoint("local", b, 2) };
        var port = await _server.EnsureListenerAsync("web", "shop", CancellationToken.None);

        for (var i = 0; i < 4; i++)
            Assert.Equal("B", await AskAsync(port));

        // The instance "moved": only A is left in the cluster view.
        _endpoints = new[] { Endpoint("remote", a, 1) };
        Assert.Equal("A", await AskAsync(port));
    }

    [Fact]
    public async Task A_link_keeps_its_port_across_restarts_of_the_agent()
    {
        var port = await _server.EnsureListenerAsync("web", "shop", CancellationToken.None);
        var other = await _server.EnsureListenerAsync("db", "shop", CancellationToken.None);
        Assert.NotEqual(port, other);
        await _server.DisposeAsync();

        var book = new AmbassadorPortBook(_dataDir, 1, 65535);
        Assert.Equal(port, book.PortFor("web", "shop", _ => false));
        Assert.Equal(other, book.PortFor("db", "shop", _ => false));
        _server = new AmbassadorServer(IPAddress.Loopback, new AmbassadorPortBook(_dataDir, port, port + 50), (_, _) => _endpoints, "local", NullLogger.Instance);
    }

    private static ServiceEndpoint Endpoint(string host, int port, int instance) =>
        new("web", "shop", "web", instance, host, "127.0.0.1", port, 80, "tcp");

    private int StartBackend(string name)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _backends.Add(listener);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await listener.AcceptTcpClientAsync(_stop.Token);
                    await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(name), _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> AskAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
