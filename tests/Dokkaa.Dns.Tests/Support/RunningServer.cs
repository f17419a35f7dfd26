using System.Net;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>A <see cref="DnsServer"/> on a free loopback port (UDP and TCP) answering from a snapshot the test can replace.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private ClusterState _state;

    private RunningServer(ClusterState state, DnsServerOptions options)
    {
        _state = state;
        Server = new DnsServer(options, () => Volatile.Read(ref _state));
        Server.Start();
    }

    public DnsServer Server { get; }

    public IPEndPoint EndPoint => Server.LocalEndpoints[0];

    /// <summary>Listen on here for a free loopback port.</summary>
    public static readonly IReadOnlyList<IPEndPoint> Loopback = [new IPEndPoint(IPAddress.Loopback, 0)];

    /// <summary>A server with <paramref name="options"/> as given (let them listen on <see cref="Loopback"/>).</summary>
    public static RunningServer Start(ClusterState state, DnsServerOptions options) => new(state, options);

    public static RunningServer Start(ClusterState state, IReadOnlyList<IPEndPoint>? upstreams = null, TimeSpan? upstreamTimeout = null, TimeSpan? tcpIdleTimeout = null) =>
        new(state, new DnsServerOptions
        {
            Listen = Loopback,
            Upstreams = upstreams ?? [],
            UpstreamTimeout = upstreamTimeout ?? TimeSpan.FromSeconds(2),
            TcpIdleTimeout = tcpIdleTimeout ?? TimeSpan.FromSeconds(10),
        });

    /// <summary>What the agent's view does when etcd reports a change.</summary>
    public void Publish(ClusterState state) => Volatile.Write(ref _state, state);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
