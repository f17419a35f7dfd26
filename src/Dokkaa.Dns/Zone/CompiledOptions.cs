using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Dokkaa.Dns.Zone;

/// <summary>What answering needs from <see cref="DnsServerOptions"/>, worked out once per options instance.</summary>
internal sealed class CompiledOptions
{
    private static readonly ConditionalWeakTable<DnsServerOptions, CompiledOptions> Cache = new();

    private CompiledOptions(DnsServerOptions options)
    {
        options.Validate();
        Zone = DnsServerOptions.ZoneWire(options.Zone);
        NameServer = Prefix("ns", Zone);
        Hostmaster = Prefix("hostmaster", Zone);
        Ttl = (uint)options.Ttl.TotalSeconds;
        Forwarding = options.Upstreams.Count > 0;
        MaxUdpPayload = (ushort)options.MaxUdpPayload;
        // Glue for ns.<zone>: the addresses the server listens on, when they are specific ones.
        ListenAddresses = options.Listen
            .Select(e => e.Address.IsIPv4MappedToIPv6 ? e.Address.MapToIPv4() : e.Address)
            .Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any))
            .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Select(a => a.GetAddressBytes())
            .DistinctBy(Convert.ToHexString)
            .ToArray();
    }

    /// <summary>The zone in lowercase wire form, root included.</summary>
    public byte[] Zone { get; }

    /// <summary><c>ns.&lt;zone&gt;.</c>: the SOA MNAME and the apex NS target.</summary>
    public byte[] NameServer { get; }

    /// <summary><c>hostmaster.&lt;zone&gt;.</c>: the SOA RNAME.</summary>
    public byte[] Hostmaster { get; }

    public uint Ttl { get; }

    public bool Forwarding { get; }

    public ushort MaxUdpPayload { get; }

    public byte[][] ListenAddresses { get; }

    /// <summary>The zone indexes built with these options.</summary>
    public ZoneIndex.IndexCache Indexes { get; } = new();

    public static CompiledOptions For(DnsServerOptions options) => Cache.GetValue(options, o => new CompiledOptions(o));

    private static byte[] Prefix(string label, byte[] zone)
    {
        var wire = new byte[1 + label.Length + zone.Length];
        wire[0] = (byte)label.Length;
        for (var i = 0; i < label.Length; i++)
            wire[1 + i] = (byte)label[i];
        zone.CopyTo(wire, 1 + label.Length);
        return wire;
    }
}
