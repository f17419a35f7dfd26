using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Manifests;
using Dokkaa.Dns.Wire;

namespace Dokkaa.Dns.Zone;

/// <summary>
/// Every name of the zone for one cluster snapshot, built once per snapshot and then only read.
/// Names (relative to the zone, lowercase):
/// <list type="bullet">
/// <item><c>&lt;app&gt;</c>: empty non-terminal.</item>
/// <item><c>&lt;name&gt;.&lt;app&gt;</c>: A/AAAA of every running instance (one per distinct address).</item>
/// <item><c>&lt;i&gt;.&lt;name&gt;.&lt;app&gt;</c> for i in 1..scale: A/AAAA of the host of instance i when its claim is Running.</item>
/// <item><c>&lt;port&gt;.&lt;proto&gt;.&lt;i&gt;.&lt;name&gt;.&lt;app&gt;</c>: SRV to the mapped host port, for the manifest's service
/// ports and every port the claim publishes; <c>&lt;proto&gt;.&lt;i&gt;...</c> is an empty non-terminal.</item>
/// <item><c>_&lt;service&gt;._&lt;proto&gt;.&lt;app&gt;</c>: SRV per running instance of the manifest that owns the service
/// name in the app (RFC 2782; see <c>ServiceOwners</c>).</item>
/// <item>the apex: SOA and NS <c>ns.&lt;zone&gt;</c>, whose A/AAAA are the specific listen addresses.</item>
/// </list>
/// An instance counts when it serves (<c>ServingInstances</c>: the manifest's effective version, instance number
/// within the scale, claim state Running), and for ports when the claim publishes a mapping.
/// </summary>
internal sealed class ZoneIndex
{
    private readonly NameTable _names;

    private ZoneIndex(CompiledOptions options, ClusterState state, NameTable names, ZoneNode apex, ZoneNode nameServer)
    {
        Options = options;
        Manifests = state.Manifests;
        Instances = state.Instances;
        Serial = unchecked((uint)state.Revision);
        _names = names;
        Apex = apex;
        NameServer = nameServer;
    }

    public CompiledOptions Options { get; }

    /// <summary>The SOA serial: the etcd revision the zone was built at (modulo 2^32).</summary>
    public uint Serial { get; }

    public ZoneNode Apex { get; }

    /// <summary>The node of <c>ns.&lt;zone&gt;</c> (glue for the NS record).</summary>
    public ZoneNode NameServer { get; }

    public int NameCount => _names.Count;

    // What the index was built from: a snapshot that shares both (only hosts or statuses changed) reuses it.
    private object Manifests { get; }

    private object Instances { get; }

    /// <summary>Indexes by snapshot, for one options instance.</summary>
    internal sealed class IndexCache
    {
        /// <summary>Weak on the snapshot: an index lives as long as the view holds its snapshot.</summary>
        public ConditionalWeakTable<ClusterState, ZoneIndex> Snapshots { get; } = new();

        /// <summary>The last index built or reused, whose snapshot may already be gone.</summary>
        public ZoneIndex? Latest { get; set; }
    }

    /// <summary>The node for a name relative to the zone, in lowercase wire form without the root (empty: the apex).</summary>
    public ZoneNode? Find(ReadOnlySpan<byte> relativeName) => _names.Find(relativeName);

    /// <summary>
    /// The index for a snapshot, built on first use and cached with the options (each options instance has
    /// its own cache, so servers with different settings over one view do not evict each other).
    /// </summary>
    public static ZoneIndex For(ClusterState state, CompiledOptions options)
    {
        var cache = options.Indexes;
        if (cache.Snapshots.TryGetValue(state, out var index))
            return index;
        lock (cache)
        {
            if (cache.Snapshots.TryGetValue(state, out index))
                return index;
            var latest = cache.Latest;
            index = latest is not null && ReferenceEquals(latest.Manifests, state.Manifests) && ReferenceEquals(latest.Instances, state.Instances)
                ? latest
                : Build(state, options);
            cache.Snapshots.AddOrUpdate(state, index);
            cache.Latest = index;
            return index;
        }
    }

    private static ZoneIndex Build(ClusterState state, CompiledOptions options)
    {
        var builder = new Builder(options);
        var apex = builder.Node("");
        var nameServer = builder.Node("ns");
        foreach (var address in options.ListenAddresses)
            nameServer.Add(address);

        var owners = ServiceOwners.Of(state);
        foreach (var (id, entry) in state.Manifests)
        {
            var manifest = entry.Effective;
            if (manifest is null || !IsLabel(id.App) || !IsLabel(id.Name))
                continue;
            var serving = ServingInstances.Of(state, id, manifest).ToDictionary(c => c.Id.Instance);
            AddManifest(builder, id, manifest, serving, owners);
        }

        return new ZoneIndex(options, state, builder.Freeze(), apex.Frozen!, nameServer.Frozen!);
    }

    private static void AddManifest(Builder builder, ManifestId id, Manifest manifest, Dictionary<int, InstanceClaim> serving, ServiceOwners owners)
    {
        var app = id.App;
        builder.Node(app);
        var group = builder.Node($"{id.Name}.{app}");
        var servicePorts = manifest.Services.Values.Where(p => IsProtocol(p.Protocol)).Select(p => (p.Port, p.Protocol)).Distinct().ToList();

        // Instance names exist for 1..scale whether they run or not (NODATA rather than NXDOMAIN while one restarts).
        var instances = new Dictionary<int, NodeBuilder>();
        for (var i = 1; i <= manifest.Scale; i++)
        {
            var relative = string.Create(CultureInfo.InvariantCulture, $"{i}.{id.Name}.{app}");
            var instance = builder.Node(relative);
            instances[i] = instance;
            foreach (var (port, protocol) in servicePorts)
            {
                builder.Node($"{protocol}.{relative}");
                builder.Node(string.Create(CultureInfo.InvariantCulture, $"{port}.{protocol}.{relative}"));
            }

            if (!serving.TryGetValue(i, out var claim))
                continue;
            if (TryParseAddress(claim.Record.Address, out var address))
            {
                instance.Add(address);
                group.Add(address);
            }

            foreach (var (key, hostPort) in claim.Record.Ports)
            {
                if (!TryParsePortKey(key, out var port, out var protocol) || hostPort is < 1 or > 65535)
                    continue;
                builder.Node($"{protocol}.{relative}");
                builder.Node(string.Create(CultureInfo.InvariantCulture, $"{port}.{protocol}.{relative}"))
                    .Srv.Add(((ushort)hostPort, instance));
            }
        }

        foreach (var (service, port) in manifest.Services)
        {
            if (!IsLabel(service) || !IsProtocol(port.Protocol) || !owners.Owns(id, service))
                continue;
            builder.Node($"_{port.Protocol}.{app}");
            var node = builder.Node($"_{service}._{port.Protocol}.{app}");
            var key = string.Create(CultureInfo.InvariantCulture, $"{port.Port}/{port.Protocol}");
            for (var i = 1; i <= manifest.Scale; i++)
            {
                if (serving.TryGetValue(i, out var claim)
                    && claim.Record.Ports.TryGetValue(key, out var hostPort) && hostPort is >= 1 and <= 65535)
                {
                    node.Srv.Add(((ushort)hostPort, instances[i]));
                }
            }
        }
    }

    private static bool IsProtocol(string protocol) => protocol is "tcp" or "udp";

    /// <summary>The RFC 1123 label rule the manifests use: only such names can appear in the zone unchanged.</summary>
    private static bool IsLabel(string value) =>
        value.Length is >= 1 and <= DnsConstants.MaxLabelLength
        && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    private static bool TryParseAddress(string text, out byte[] address)
    {
        address = [];
        if (!IPAddress.TryParse(text, out var ip))
            return false;
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        if (ip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            return false;
        address = ip.GetAddressBytes();
        return true;
    }

    /// <summary><c>80/tcp</c> into 80 and tcp.</summary>
    private static bool TryParsePortKey(string key, out int port, out string protocol)
    {
        port = 0;
        protocol = "";
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !int.TryParse(key.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            return false;
        protocol = key[(slash + 1)..].ToLowerInvariant();
        return IsProtocol(protocol);
    }

    private sealed class Builder(CompiledOptions options)
    {
        private readonly Dictionary<string, NodeBuilder> _nodes = new(StringComparer.Ordinal);

        public NodeBuilder Node(string relative)
        {
            if (!_nodes.TryGetValue(relative, out var node))
            {
                var full = relative.Length == 0 ? options.Zone : Concat(DnsName.FromText(relative), options.Zone);
                _nodes[relative] = node = new NodeBuilder(full, relative.Length == 0 ? [] : full[..^options.Zone.Length]);
            }

            return node;
        }

        public NameTable Freeze()
        {
            foreach (var node in _nodes.Values)
                node.Frozen = new ZoneNode(node.V4.ToArray(), node.V6.ToArray(), []);
            foreach (var node in _nodes.Values)
                node.Frozen!.Srv = node.Srv.Where(s => s.Target.Name.Length <= DnsConstants.MaxNameLength)
                    .Select(s => new SrvRecord(s.Port, s.Target.Name, s.Target.Frozen!)).ToArray();
            var names = _nodes.Values.Where(n => n.Name.Length <= DnsConstants.MaxNameLength)
                .Select(n => new KeyValuePair<byte[], ZoneNode>(n.Relative, n.Frozen!))
                .ToList();
            return new NameTable(names);
        }

        private static byte[] Concat(byte[] relative, byte[] zone)
        {
            // relative ends with the root; the zone replaces it.
            var full = new byte[relative.Length - 1 + zone.Length];
            relative.AsSpan(0, relative.Length - 1).CopyTo(full);
            zone.CopyTo(full, relative.Length - 1);
            return full;
        }
    }

    private sealed class NodeBuilder(byte[] name, byte[] relative)
    {
        /// <summary>Full lowercase wire name, root included.</summary>
        public byte[] Name { get; } = name;

        /// <summary>The name without the zone and the root: the lookup key.</summary>
        public byte[] Relative { get; } = relative;

        public List<byte[]> V4 { get; } = new();

        public List<byte[]> V6 { get; } = new();

        public List<(ushort Port, NodeBuilder Target)> Srv { get; } = new();

        public ZoneNode? Frozen { get; set; }

        /// <summary>Adds an address unless the node has it already (one A per distinct host).</summary>
        public void Add(byte[] address)
        {
            var list = address.Length == 4 ? V4 : V6;
            foreach (var existing in list)
            {
                if (existing.AsSpan().SequenceEqual(address))
                    return;
            }

            list.Add(address);
        }
    }
}
