using Dokkaa.Core.Cluster;
using Dokkaa.Testing;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>The clusters the tests answer from.</summary>
public static class Clusters
{
    /// <summary>
    /// DaprDockr's README example: instance 1 of "web" in app "service" at 192.168.1.10 with container
    /// port 80 published on 49169; a second instance; an IPv6-only manifest; one that is not running.
    /// </summary>
    public static ClusterState Example() => new ClusterStateBuilder()
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
        .AtRevision(42)
        .State;

    /// <summary><paramref name="count"/> running instances of big.app, each on its own host.</summary>
    public static ClusterState Many(int count)
    {
        var builder = new ClusterStateBuilder().Manifest("app", "big", count, ("http", 80, "tcp"));
        for (var i = 1; i <= count; i++)
            builder.Instance("app", "big", i, $"10.1.{i / 256}.{i % 256}", ports: ("80/tcp", 30000 + i));
        return builder.State;
    }
}
