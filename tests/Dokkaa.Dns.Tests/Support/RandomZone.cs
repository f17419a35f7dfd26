using Dokkaa.Core.Cluster;
using Dokkaa.Testing;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>
/// Random clusters and random questions about them, from one seeded <see cref="Random"/> so that a failure
/// reproduces. The pools are small on purpose: names repeat across apps and manifests, addresses repeat across
/// instances, service names are offered twice in an app, and names take the other names' forms ("tcp" as a
/// manifest, "ns" as an app, a number as an app).
/// </summary>
public sealed class RandomZone(Random random)
{
    private static readonly string[] Apps = ["service", "dummy", "shop", "ns", "80", "a-b"];
    private static readonly string[] Names = ["web", "db", "api", "tcp", "1", "nginx", "worker-2"];
    private static readonly string[] BadNames = ["Web", "bad_name", "a---b"];
    private static readonly string[] Services = ["http", "postgres", "dns", "nginx", "stats", "Bad_Svc"];
    private static readonly int[] Ports = [53, 80, 443, 5432, 8125];
    private static readonly string[] Protocols = ["tcp", "tcp", "udp", "sctp"];
    private static readonly InstanceState[] States = [InstanceState.Running, InstanceState.Running, InstanceState.Running, InstanceState.Starting, InstanceState.Failed];

    // Mostly what the zone serves; then types it has none of, and rarely the ones it refuses or rejects (AXFR, IXFR, MAILA, OPT).
    private static readonly ushort[] Types = [1, 1, 28, 33, 33, 12, 255, 16, 6, 2, 15, 257, 1, 28, 33, 255, 6, 2, 252, 251, 254, 41];
    private static readonly ushort[] Classes = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 255, 255, 3, 4];

    /// <summary>A cluster of 1-3 apps with 1-3 manifests each (sometimes one that cannot be a name), created in random order.</summary>
    public ClusterState Cluster()
    {
        var builder = new ClusterStateBuilder().AtRevision(random.NextInt64(1, 5_000_000_000));
        var manifests = new List<(string App, string Name)>();
        foreach (var app in Pick(Apps, random.Next(1, 4)))
        {
            foreach (var name in Pick(Names, random.Next(1, 4)))
                manifests.Add((app, name));
            if (random.Next(6) == 0)
                manifests.Add((app, Pick(BadNames, 1)[0]));
        }

        // The order of creation decides which manifest owns a service name both offer.
        foreach (var (app, name) in manifests.OrderBy(_ => random.Next()))
        {
            // Now and then a big one, whose answers do not fit 512 bytes.
            var scale = random.Next(8) == 0 ? random.Next(20, 60) : random.Next(0, 5);
            var services = Pick(Services, random.Next(0, 4))
                .Select(s => (s, Ports[random.Next(Ports.Length)], Protocols[random.Next(Protocols.Length)]))
                .ToArray();
            builder.Manifest(app, name, scale, services);
            // Claims up to one past the scale: the one beyond is left over from a scale down.
            for (var i = 1; i <= scale + 1; i++)
            {
                if (random.Next(5) == 0)
                    continue;
                var ports = services.Where(_ => random.Next(6) != 0)
                    .Select(s => ($"{s.Item2}/{s.Item3}", HostPort()))
                    .Concat(random.Next(8) == 0 ? [("9999/tcp", HostPort())] : [])
                    .Concat(random.Next(12) == 0 ? [("x/tcp", 1), ("70000/udp", 5)] : [])
                    .DistinctBy(p => p.Item1)
                    .ToArray();
                var address = scale > 4 ? $"10.1.{i / 250}.{1 + (i % 250)}" : Address();
                builder.Instance(app, name, i, address, States[random.Next(States.Length)], ports);
            }
        }

        return builder.State;
    }

    /// <summary>
    /// A question about <paramref name="zone"/>: mostly a name it has (in random case, often of a type the name
    /// has records of), else one it does not have, one that only looks like it, or one outside it.
    /// </summary>
    public (string Name, ushort Type) Question(ExpectedZone zone)
    {
        var existing = zone.Nodes.Keys.ToArray();
        // Names with records first: most names of a zone are empty non-terminals and names of stopped instances.
        var withRecords = zone.Nodes.Where(n => n.Value.V4.Count + n.Value.V6.Count + n.Value.Srv.Count > 0).Select(n => n.Key).ToArray();
        var type = Types[random.Next(Types.Length)];
        string name;
        switch (random.Next(10))
        {
            case < 5 when withRecords.Length > 0:
                var relative = withRecords[random.Next(withRecords.Length)];
                name = zone.Absolute(relative);
                var node = zone.Nodes[relative];
                var has = new List<ushort>();
                if (node.V4.Count > 0)
                    has.Add(1);
                if (node.V6.Count > 0)
                    has.Add(28);
                if (node.Srv.Count > 0)
                    has.Add(33);
                if (random.Next(3) > 0)
                    type = has[random.Next(has.Count)];
                break;
            case < 7:
                name = zone.Absolute(existing[random.Next(existing.Length)]);
                break;
            case 7:
                name = zone.Absolute(random.Next(2) == 0
                    ? Mutate(existing[random.Next(existing.Length)])
                    : Pick(["9.web.service", "nothing", "81.tcp.1.web.service", "_nope._tcp.service", "udp.1.web.service", "ns.ns", "x.ns"], 1)[0]);
                break;
            case 8:
                name = Pick(["example.com.", "container.example.", "notcontainer.", "internal.", "."], 1)[0];
                break;
            default:
                name = zone.Absolute(existing[random.Next(existing.Length)]).TrimEnd('.') + ".example.";
                break;
        }

        return (RandomCase(name), type);
    }

    /// <summary>An EDNS payload size (null: no OPT), the DO bit, and the EDNS version (rarely one the server does not know).</summary>
    public (int? Payload, bool DnssecOk, byte Version) Edns() =>
        (Pick<int?>([null, null, 512, 700, 1232, 4096], 1)[0], random.Next(4) == 0, (byte)(random.Next(20) == 0 ? 1 : 0));

    /// <summary>IN mostly; ANY, CHAOS and HESIOD now and then.</summary>
    public ushort Class() => Classes[random.Next(Classes.Length)];

    /// <summary>Whether the query asks for recursion (stub resolvers do, dig +norec does not).</summary>
    public bool RecursionDesired() => random.Next(4) != 0;

    public bool OverTcp() => random.Next(5) == 0;

    private string Mutate(string relative)
    {
        var labels = relative.Split('.', StringSplitOptions.RemoveEmptyEntries).ToList();
        switch (random.Next(3))
        {
            case 0:
                labels.Insert(0, Pick(["0", "01", "x", "_http", "tcp"], 1)[0]);
                break;
            case 1 when labels.Count > 0:
                labels[0] = labels[0] + "0";
                break;
            default:
                labels.Add("nope");
                break;
        }

        return string.Join('.', labels);
    }

    private string RandomCase(string name) =>
        random.Next(3) == 0 ? string.Concat(name.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : c)) : name;

    private string Address() => random.Next(10) switch
    {
        < 6 => $"10.0.{random.Next(2)}.{random.Next(1, 4)}",
        < 8 => $"fd00::{random.Next(1, 4):x}",
        8 => $"::ffff:10.0.0.{random.Next(1, 4)}",
        _ => "not-an-address",
    };

    private int HostPort() => random.Next(20) == 0 ? Pick([0, 70000], 1)[0] : random.Next(30000, 60000);

    private T[] Pick<T>(T[] pool, int count) => pool.OrderBy(_ => random.Next()).Take(count).ToArray();
}
