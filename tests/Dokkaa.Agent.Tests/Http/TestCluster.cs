using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Agent.Tests.Http;

/// <summary>Builds cluster snapshots by hand, bypassing the manifest parser, so hostile values can reach the renderer.</summary>
internal sealed class TestCluster
{
    private ClusterState _state = ClusterState.Empty;

    public ClusterState State => _state;

    public TestCluster Manifest(string app, string name, string? host, int port = 9000, int scale = 3, bool exclusive = false, long createRevision = 1)
    {
        var manifest = new Manifest { Image = "shop/web:1", Scale = scale, Http = host is null ? null : new HttpRoute(host, port), Exclusive = exclusive };
        var id = new ManifestId(app, name);
        _state = _state with { Manifests = _state.Manifests.SetItem(id, new ManifestEntry(id, "{}", manifest, Array.Empty<ManifestError>(), createRevision, manifest) { CreateRevision = createRevision }) };
        return this;
    }

    public TestCluster Instance(string app, string name, int instance, string address, int? hostPort, InstanceState state = InstanceState.Running, string host = "h1", int httpPort = 9000, long lease = 1, string manifestHash = "hash")
    {
        var id = new InstanceId(app, name, instance);
        var ports = new Dictionary<string, int>();
        if (hostPort is { } p)
            ports[$"{httpPort}/tcp"] = p;
        var record = new InstanceRecord { Host = host, Address = address, ManifestHash = manifestHash, State = state, Ports = ports };
        _state = _state with { Instances = _state.Instances.SetItem(id, new InstanceClaim(id, record, 1, 1, lease)) };
        return this;
    }

    /// <summary>A live host (its key on <paramref name="lease"/>).</summary>
    public TestCluster Host(string hostId, long lease = 1)
    {
        _state = _state with { Hosts = _state.Hosts.SetItem(hostId, new HostEntry(hostId, new HostRecord { Address = "10.0.0.1", AgentVersion = "test" }, lease)) };
        return this;
    }

    /// <summary>shop/web on <paramref name="host"/> with one running instance per backend, on loopback.</summary>
    public static TestCluster Shop(string host, params TestHttpBackend[] backends)
    {
        var cluster = new TestCluster().Manifest("shop", "web", host, scale: Math.Max(1, backends.Length));
        for (var i = 0; i < backends.Length; i++)
            cluster.Instance("shop", "web", i + 1, "127.0.0.1", backends[i].Port);
        return cluster;
    }
}
