using System.Net;
using System.Net.Sockets;
using System.Text;
using Dokkaa.Agent.Ambassador;
using Dokkaa.Core.Discovery;
using Dokkaa.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
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

    [Fact]
    public async Task Connections_to_a_link_without_live_instances_are_logged_once_per_interval_with_a_count()
    {
        var log = new RecordingLogger();
        var clock = new FakeTimeProvider();
        var first = FreePort.Tcp();
        await using var server = new AmbassadorServer(IPAddress.Loopback, new AmbassadorPortBook(Path.Combine(_dataDir, "own"), first, first + 50), (_, _) => _endpoints, "local", log, clock);
        var port = await server.EnsureListenerAsync("web", "shop", CancellationToken.None);

        // Each connection is closed only after its log line was written, so the count is complete when the loop ends.
        for (var i = 0; i < 20; i++)
            Assert.Equal("", await AskAsync(port));
        Assert.Single(log.Warnings);

        clock.Advance(AmbassadorServer.NoInstanceReportInterval);
        Assert.Equal("", await AskAsync(port));

        Assert.Equal(2, log.Warnings.Count);
        Assert.Contains("19 more connection(s)", log.Warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Releasing_closes_the_listeners_no_container_uses_and_gives_their_ports_back()
    {
        var web = await _server.EnsureListenerAsync("web", "shop", CancellationToken.None);
        var db = await _server.EnsureListenerAsync("db", "shop", CancellationToken.None);

        var released = await _server.ReleaseUnusedAsync((_, port) => port == web, _server.Mark(), CancellationToken.None);

        Assert.Equal(new[] { "db.shop" }, released);
        await Assert.ThrowsAsync<SocketException>(() => AskAsync(db));
        Assert.Equal(db, await _server.EnsureListenerAsync("cache", "shop", CancellationToken.None));
        Assert.Equal(web, await _server.EnsureListenerAsync("web", "shop", CancellationToken.None));
    }

    [Fact]
    public async Task A_listener_used_after_the_mark_or_pinned_for_a_container_being_created_is_kept()
    {
        var mark = _server.Mark();
        await _server.EnsureListenerAsync("web", "shop", CancellationToken.None);
        Assert.Empty(await _server.ReleaseUnusedAsync((_, _) => false, mark, CancellationToken.None));

        var pin = new LinkPin();
        await _server.EnsureListenerAsync("db", "shop", pin, CancellationToken.None);
        var afterPin = _server.Mark();
        Assert.Equal(new[] { "web.shop" }, await _server.ReleaseUnusedAsync((_, _) => false, afterPin, CancellationToken.None));

        // Unpinned after the mark: the container may have been created after the sweep listed the containers.
        pin.Dispose();
        Assert.Empty(await _server.ReleaseUnusedAsync((_, _) => false, afterPin, CancellationToken.None));
        Assert.Equal(new[] { "db.shop" }, await _server.ReleaseUnusedAsync((_, _) => false, _server.Mark(), CancellationToken.None));
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
