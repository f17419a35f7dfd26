using System.Collections.Concurrent;
using System.Net;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>
/// A <see cref="DnsServer"/> on a free loopback port (UDP and TCP) answering from a snapshot the test can replace.
/// While it runs, the answers that <see cref="TestSockets"/> receive from its endpoints are checked against its
/// current zone (<see cref="AnswerCheck"/>).
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<IPEndPoint, RunningServer> Running = new();

    private readonly DnsServerOptions _options;
    private ClusterState _state;

    private RunningServer(ClusterState state, DnsServerOptions options, TimeProvider? clock)
    {
        _state = state;
        _options = options;
        Server = clock is null
            ? new DnsServer(options, () => Volatile.Read(ref _state))
            : new DnsServer(options, () => Volatile.Read(ref _state), log: null, clock);
        Server.Start();
        foreach (var endpoint in Server.LocalEndpoints)
            Running[endpoint] = this;
    }

    public DnsServer Server { get; }

    public IPEndPoint EndPoint => Server.LocalEndpoints[0];

    /// <summary>The zone the server answers from now, as the tests work it out.</summary>
    public ExpectedZone Zone => ExpectedZone.Of(Volatile.Read(ref _state), _options);

    /// <summary>Listen on here for a free loopback port.</summary>
    public static readonly IReadOnlyList<IPEndPoint> Loopback = [new IPEndPoint(IPAddress.Loopback, 0)];

    /// <summary>A server with <paramref name="options"/> as given (let them listen on <see cref="Loopback"/>), on <paramref name="clock"/> when given.</summary>
    public static RunningServer Start(ClusterState state, DnsServerOptions options, TimeProvider? clock = null) => new(state, options, clock);

    public static RunningServer Start(ClusterState state, IReadOnlyList<IPEndPoint>? upstreams = null, TimeSpan? upstreamTimeout = null, TimeSpan? tcpIdleTimeout = null) =>
        new(state, new DnsServerOptions
        {
            Listen = Loopback,
            Upstreams = upstreams ?? [],
            UpstreamTimeout = upstreamTimeout ?? TimeSpan.FromSeconds(2),
            TcpIdleTimeout = tcpIdleTimeout ?? TimeSpan.FromSeconds(10),
        }, clock: null);

    /// <summary>
    /// Checks a response that came from <paramref name="server"/> against the zone of the running server there;
    /// a server the tests did not start through this class has no zone to compare with (ARSoft still decodes the
    /// answer in <see cref="TestMessage.Parse"/>).
    /// </summary>
    public static void Check(EndPoint? server, ReadOnlySpan<byte> response, DnsTransport transport, ReadOnlySpan<byte> query = default)
    {
        if (server is IPEndPoint endpoint && Running.TryGetValue(endpoint, out var running))
            AnswerCheck.Verify(response, running.Zone, transport, query);
    }

    /// <summary>What the agent's view does when etcd reports a change.</summary>
    public void Publish(ClusterState state) => Volatile.Write(ref _state, state);

    public ValueTask DisposeAsync()
    {
        foreach (var endpoint in Server.LocalEndpoints)
            Running.TryRemove(new KeyValuePair<IPEndPoint, RunningServer>(endpoint, this));
        return Server.DisposeAsync();
    }
}
