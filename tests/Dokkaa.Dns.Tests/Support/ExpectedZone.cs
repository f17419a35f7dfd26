using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>One name of <see cref="ExpectedZone"/>: its addresses (distinct) and SRV records (port, target relative to the zone).</summary>
public sealed class ExpectedNode
{
    public List<IPAddress> V4 { get; } = [];

    public List<IPAddress> V6 { get; } = [];

    public List<(int Port, string Target)> Srv { get; } = [];

    public void Add(IPAddress address)
    {
        var list = address.AddressFamily == AddressFamily.InterNetwork ? V4 : V6;
        if (!list.Contains(address))
            list.Add(address);
    }
}

/// <summary>
/// What the <c>.container</c> zone holds for a snapshot, worked out from the <see cref="ClusterState"/> by the
/// rules the README states (names, Running claims within the scale, published ports, the service's owner being
/// the manifest created first), written again here without the server's code so that the answers can be
/// compared with it. Names are lowercase and relative to the zone ("" is the apex).
/// </summary>
public sealed class ExpectedZone
{
    private readonly Dictionary<string, ExpectedNode> _nodes = new(StringComparer.Ordinal);

    private ExpectedZone(DnsServerOptions options, ClusterState state)
    {
        Apex = options.Zone.TrimEnd('.').ToLowerInvariant();
        Ttl = (uint)options.Ttl.TotalSeconds;
        Serial = unchecked((uint)state.Revision);
        Forwarding = options.Upstreams.Count > 0;
        MaxUdpPayload = options.MaxUdpPayload;
    }

    /// <summary>The zone's name, lowercase, without the trailing dot.</summary>
    public string Apex { get; }

    public uint Ttl { get; }

    public uint Serial { get; }

    public bool Forwarding { get; }

    public int MaxUdpPayload { get; }

    public IReadOnlyDictionary<string, ExpectedNode> Nodes => _nodes;

    /// <summary>The absolute name of a relative one, with the trailing dot: "1.web.service" is "1.web.service.container.".</summary>
    public string Absolute(string relative) => relative.Length == 0 ? Apex + "." : $"{relative}.{Apex}.";

    /// <summary>The zone of a snapshot served with some options (worked out once per pair: the property tests ask often).</summary>
    public static ExpectedZone Of(ClusterState state, DnsServerOptions options) =>
        Cache.GetOrCreateValue(state).GetValue(options, o => Build(state, o));

    private static readonly ConditionalWeakTable<ClusterState, ConditionalWeakTable<DnsServerOptions, ExpectedZone>> Cache = new();

    private static ExpectedZone Build(ClusterState state, DnsServerOptions options)
    {
        var zone = new ExpectedZone(options, state);
        zone.Node("");
        var ns = zone.Node("ns");
        foreach (var listen in options.Listen)
        {
            var address = listen.Address.IsIPv4MappedToIPv6 ? listen.Address.MapToIPv4() : listen.Address;
            if (!address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
                ns.Add(address);
        }

        foreach (var entry in state.Manifests.Values)
        {
            if (entry.Effective is { } manifest && IsLabel(entry.Id.App) && IsLabel(entry.Id.Name))
                zone.AddManifest(state, entry, manifest);
        }

        return zone;
    }

    private ExpectedNode Node(string relative)
    {
        if (!_nodes.TryGetValue(relative, out var node))
            _nodes[relative] = node = new ExpectedNode();
        return node;
    }

    private void AddManifest(ClusterState state, ManifestEntry entry, Manifest manifest)
    {
        var (app, name) = (entry.Id.App, entry.Id.Name);
        Node(app);
        var group = Node($"{name}.{app}");
        var running = new Dictionary<int, InstanceRecord>();
        for (var i = 1; i <= manifest.Scale; i++)
        {
            var instance = Invariant($"{i}.{name}.{app}");
            Node(instance);
            foreach (var port in manifest.Services.Values.Where(p => p.Protocol is "tcp" or "udp"))
                PortNode(port.Port, port.Protocol, instance);
            if (!state.Instances.TryGetValue(new InstanceId(app, name, i), out var claim) || claim.Record.State != InstanceState.Running)
                continue;
            running[i] = claim.Record;
            if (IPAddress.TryParse(claim.Record.Address, out var address))
            {
                address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
                Node(instance).Add(address);
                group.Add(address);
            }

            foreach (var (key, hostPort) in claim.Record.Ports)
            {
                if (PortKey(key) is { } published && hostPort is >= 1 and <= 65535)
                    PortNode(published.Port, published.Protocol, instance).Srv.Add((hostPort, instance));
            }
        }

        foreach (var (service, port) in manifest.Services)
        {
            if (!IsLabel(service) || port.Protocol is not ("tcp" or "udp") || OwnerOf(state, app, service) != entry.Id)
                continue;
            Node($"_{port.Protocol}.{app}");
            var node = Node($"_{service}._{port.Protocol}.{app}");
            foreach (var (i, record) in running.OrderBy(r => r.Key))
            {
                if (record.Ports.TryGetValue(Invariant($"{port.Port}/{port.Protocol}"), out var hostPort) && hostPort is >= 1 and <= 65535)
                    node.Srv.Add((hostPort, Invariant($"{i}.{name}.{app}")));
            }
        }
    }

    /// <summary><c>&lt;port&gt;.&lt;proto&gt;.&lt;instance&gt;</c>, and <c>&lt;proto&gt;.&lt;instance&gt;</c> above it as an empty non-terminal.</summary>
    private ExpectedNode PortNode(int port, string protocol, string instance)
    {
        Node($"{protocol}.{instance}");
        return Node(Invariant($"{port}.{protocol}.{instance}"));
    }

    /// <summary>The manifest serving a service name in an app: the oldest key offering it, the name breaking a tie.</summary>
    private static ManifestId? OwnerOf(ClusterState state, string app, string service) =>
        state.Manifests.Values
            .Where(e => e.Id.App == app && e.Effective is { } m && m.Services.ContainsKey(service))
            .OrderBy(e => e.CreateRevision)
            .ThenBy(e => e.Id.Name, StringComparer.Ordinal)
            .Select(e => (ManifestId?)e.Id)
            .FirstOrDefault();

    /// <summary>A claim's port key, "80/tcp" (protocol in any case), or null when it is not one.</summary>
    private static (int Port, string Protocol)? PortKey(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || !parts[0].All(char.IsAsciiDigit))
            return null;
        var protocol = parts[1].ToLowerInvariant();
        return int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535 && protocol is "tcp" or "udp"
            ? (port, protocol)
            : null;
    }

    private static bool IsLabel(string value) =>
        value.Length is >= 1 and <= 63 && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
