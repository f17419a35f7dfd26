namespace Dokkaa.Dns.Zone;

/// <summary>
/// One name in the zone and its records. A node with no records is an empty non-terminal or a name
/// whose instance does not run: it exists (NOERROR/NODATA), unlike a name with no node (NXDOMAIN).
/// </summary>
internal sealed class ZoneNode
{
    public ZoneNode(byte[][] v4, byte[][] v6, SrvRecord[] srv)
    {
        V4 = v4;
        V6 = v6;
        Srv = srv;
    }

    /// <summary>IPv4 addresses, 4 bytes each.</summary>
    public byte[][] V4 { get; }

    /// <summary>IPv6 addresses, 16 bytes each.</summary>
    public byte[][] V6 { get; }

    public SrvRecord[] Srv { get; internal set; }
}

/// <summary>An SRV record: priority and weight are 0; the target's node gives the additional A/AAAA records.</summary>
internal sealed record SrvRecord(ushort Port, byte[] Target, ZoneNode TargetNode);
