using System.Text;
using BenchmarkDotNet.Attributes;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Dns;

namespace Dokkaa.Benchmarks;

/// <summary>
/// <see cref="DnsResolverCore.Answer"/>: parse the query, find the name in the snapshot's index, write the
/// answer. The snapshot is built the way the agent's view builds it (watch events applied to a
/// ClusterState): 100 manifests of 10 running instances each, on 10 hosts. The index is built in setup, so
/// each operation is the per-query hot path, which should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class DnsBenchmarks
{
    private readonly byte[] _response = new byte[DnsResolverCore.MaximumResponseLength];
    private readonly DnsServerOptions _options = new();
    private ClusterState _state = ClusterState.Empty;
    private byte[] _instanceA = [];
    private byte[] _serviceSrv = [];
    private byte[] _portSrv = [];
    private byte[] _nameA = [];
    private byte[] _missing = [];

    [GlobalSetup]
    public void Setup()
    {
        _state = Snapshots.Build(manifests: 100, scale: 10, hosts: 10);
        _instanceA = Query("3.web.app42.container", 1);
        _nameA = Query("web.app42.container", 1);
        _serviceSrv = Query("_http._tcp.app42.container", 33);
        _portSrv = Query("80.tcp.3.web.app42.container", 33);
        _missing = Query("nope.app42.container", 1);
        // First query after a snapshot change builds the index; benchmarks measure the queries after it.
        if (A() <= 0 || Srv() <= 0 || PortSrv() <= 0 || NameA() <= 0 || NxDomain() <= 0)
            throw new InvalidOperationException("the benchmark queries must be answered");
    }

    /// <summary>A of one instance: <c>3.web.app42.container</c>.</summary>
    [Benchmark(Baseline = true)]
    public int A() => DnsResolverCore.Answer(_instanceA, _state, _options, _response, DnsTransport.Udp).Length;

    /// <summary>A of every instance of a manifest (10 instances on distinct hosts).</summary>
    [Benchmark]
    public int NameA() => DnsResolverCore.Answer(_nameA, _state, _options, _response, DnsTransport.Udp).Length;

    /// <summary>RFC 2782 SRV of a service: 10 SRV records plus their A records.</summary>
    [Benchmark]
    public int Srv() => DnsResolverCore.Answer(_serviceSrv, _state, _options, _response, DnsTransport.Udp).Length;

    /// <summary>SRV of one instance's port: <c>80.tcp.3.web.app42.container</c>.</summary>
    [Benchmark]
    public int PortSrv() => DnsResolverCore.Answer(_portSrv, _state, _options, _response, DnsTransport.Udp).Length;

    /// <summary>A name in the zone that does not exist: NXDOMAIN with the SOA.</summary>
    [Benchmark]
    public int NxDomain() => DnsResolverCore.Answer(_missing, _state, _options, _response, DnsTransport.Udp).Length;

    /// <summary>A standard query as dig sends it (RD set, one question, EDNS0 OPT with a 1232-byte payload).</summary>
    internal static byte[] Query(string name, ushort type)
    {
        var message = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1 };
        foreach (var label in name.Split('.'))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.AddRange(new byte[] { 0, (byte)(type >> 8), (byte)type, 0, 1 });
        message.AddRange(new byte[] { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 });
        return message.ToArray();
    }
}

/// <summary>Cluster snapshots built from watch events, as <see cref="ClusterView"/> builds them.</summary>
internal static class Snapshots
{
    public static ClusterState Build(int manifests, int scale, int hosts)
    {
        var state = ClusterState.Empty;
        long revision = 1;
        KeyValue Kv(string key, string value) => new(key, value, ++revision, revision, 1, 0);
        for (var h = 1; h <= hosts; h++)
        {
            state = state.Apply(new WatchEvent(WatchEventType.Put,
                Kv(KeyLayout.Host($"h{h}"), "{\"address\":\"10.0.0." + h + "\",\"agentVersion\":\"bench\"}")));
        }

        for (var m = 0; m < manifests; m++)
        {
            var app = $"app{m}";
            state = state.Apply(new WatchEvent(WatchEventType.Put,
                Kv(KeyLayout.Manifest(app, "web"), "{\"image\":\"shop/web:1\",\"scale\":" + scale + ",\"services\":{\"http\":80}}")));
            for (var i = 1; i <= scale; i++)
            {
                var h = 1 + ((m + i) % hosts);
                var record = "{\"host\":\"h" + h + "\",\"address\":\"10.0.0." + h + "\",\"manifestHash\":\"x\",\"state\":\"Running\",\"ports\":{\"80/tcp\":" + (32000 + i) + "}}";
                state = state.Apply(new WatchEvent(WatchEventType.Put, Kv(KeyLayout.Instance(app, "web", i), record)));
            }
        }

        return state;
    }
}
