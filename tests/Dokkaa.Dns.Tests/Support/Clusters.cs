using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>Builds <see cref="ClusterState"/> snapshots by hand, the way the view would hold them.</summary>
public sealed class ClusterBuilder
{
    private ClusterState _state = ClusterState.Empty with { Revision = 42 };
    private long _created;

    /// <summary>A manifest; each one is created after the ones before it, as etcd would number them.</summary>
    public ClusterBuilder Manifest(string app, string name, int scale, params (string Service, int Port, string Protocol)[] services)
    {
        var manifest = new Manifest
        {
            Image = "dockerfile/nginx",
            Scale = scale,
            Services = services.ToDictionary(s => s.Service, s => new ServicePort(s.Port, s.Protocol), StringComparer.Ordinal),
        };
        var id = new ManifestId(app, name);
        _state = _state with { Manifests = _state.Manifests.SetItem(id, new ManifestEntry(id, "{}", manifest, Array.Empty<ManifestError>(), 1, manifest) { CreateRevision = ++_created }) };
        return this;
    }

    public ClusterBuilder Instance(string app, string name, int instance, string address, InstanceState state = InstanceState.Running, params (string Key, int HostPort)[] ports)
    {
        var id = new InstanceId(app, name, instance);
        var record = new InstanceRecord
        {
            Host = "host-" + address,
            Address = address,
            ManifestHash = "hash",
            State = state,
            Ports = ports.ToDictionary(p => p.Key, p => p.HostPort, StringComparer.Ordinal),
        };
        _state = _state with { Instances = _state.Instances.SetItem(id, new InstanceClaim(id, record, 1, 1, 1)) };
        return this;
    }

    public ClusterBuilder Revision(long revision)
    {
        _state = _state with { Revision = revision };
        return this;
    }

    public ClusterState Build() => _state;
}

/// <summary>The clusters the tests answer from.</summary>
public static class Clusters
{
    /// <summary>
    /// DaprDockr's README example: instance 1 of "web" in app "service" at 192.168.1.10 with container
    /// port 80 published on 49169; a second instance; an IPv6-only manifest; one that is not running.
    /// </summary>
    public static ClusterState Example() => new ClusterBuilder()
        .Manifest("service", "web", 3, ("http", 80, "tcp"))
        .Instance("service", "web", 1, "192.168.1.10", ports: ("80/tcp", 49169))
        .Instance("service", "web", 2, "192.168.1.11", ports: ("80/tcp", 49170))
        // Instance 3 is claimed but still starting: its name exists, without an address.
        .Instance("service", "web", 3, "192.168.1.12", InstanceState.Starting)
        .Manifest("service", "db", 1, ("postgres", 5432, "tcp"), ("stats", 8125, "udp"))
        .Instance("service", "db", 1, "fd00::10", ports: [("5432/tcp", 40001), ("8125/udp", 40002)])
        .Manifest("dummy", "nginx", 2, ("nginx", 80, "tcp"))
        // Two instances on one host: one A for the name, two SRV records for the service.
        .Instance("dummy", "nginx", 1, "10.0.0.1", ports: ("80/tcp", 32768))
        .Instance("dummy", "nginx", 2, "10.0.0.1", ports: ("80/tcp", 32769))
        .Build();

    /// <summary><paramref name="count"/> running instances of big.app, each on its own host.</summary>
    public static ClusterState Many(int count)
    {
        var builder = new ClusterBuilder().Manifest("app", "big", count, ("http", 80, "tcp"));
        for (var i = 1; i <= count; i++)
            builder.Instance("app", "big", i, $"10.1.{i / 256}.{i % 256}", ports: ("80/tcp", 30000 + i));
        return builder.Build();
    }
}
