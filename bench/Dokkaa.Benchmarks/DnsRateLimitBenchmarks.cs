using System.Net;
using BenchmarkDotNet.Attributes;
using Dokkaa.Core.Cluster;
using Dokkaa.Dns;
using Dokkaa.Dns.Limits;

namespace Dokkaa.Benchmarks;

/// <summary>
/// What response-rate limiting adds to a UDP query: reading the client's address from the raw socket
/// address, and either the exemption check (loopback, containers) or a bucket update (anyone else), next to
/// answering the query itself (<see cref="DnsBenchmarks.A"/>'s work).
/// </summary>
[MemoryDiagnoser]
public class DnsRateLimitBenchmarks
{
    private readonly byte[] _response = new byte[DnsResolverCore.MaximumResponseLength];
    private readonly DnsServerOptions _options = new();
    // A rate no benchmark reaches, so every check ends in a spent token, the common path.
    private readonly ResponseRateLimiter _limiter = new(new DnsRateLimitOptions { ResponsesPerSecond = int.MaxValue, Burst = int.MaxValue, Exempt = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("172.17.0.0/16")] }, TimeProvider.System);
    private readonly SocketAddress _container = new IPEndPoint(IPAddress.Parse("172.17.0.5"), 40000).Serialize();
    private readonly SocketAddress _remote = new IPEndPoint(IPAddress.Parse("192.0.2.55"), 40000).Serialize();
    private ClusterState _state = ClusterState.Empty;
    private byte[] _query = [];

    [GlobalSetup]
    public void Setup()
    {
        _state = Snapshots.Build(manifests: 100, scale: 10, hosts: 10);
        _query = DnsBenchmarks.Query("3.web.app42.container", 1);
        if (Answer() <= 0)
            throw new InvalidOperationException("the benchmark query must be answered");
    }

    [Benchmark(Baseline = true)]
    public int Answer() => DnsResolverCore.Answer(_query, _state, _options, _response, DnsTransport.Udp).Length;

    [Benchmark]
    public int ExemptClientThenAnswer() => Check(_container) + Answer();

    [Benchmark]
    public int LimitedClientThenAnswer() => Check(_remote) + Answer();

    private int Check(SocketAddress client)
    {
        SourceAddress.TryRead(client, out var source);
        return (int)_limiter.Check(source, out _);
    }
}
