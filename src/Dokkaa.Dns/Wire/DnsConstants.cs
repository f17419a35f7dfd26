namespace Dokkaa.Dns.Wire;

/// <summary>Record types, classes and header bits used by the server (RFC 1035, 2782, 3596, 6891).</summary>
internal static class DnsConstants
{
    public const int HeaderLength = 12;

    /// <summary>A name in wire form, length octets and the root included (RFC 1035 3.1).</summary>
    public const int MaxNameLength = 255;

    public const int MaxLabelLength = 63;

    /// <summary>Without EDNS0 a UDP message is at most 512 bytes (RFC 1035 4.2.1).</summary>
    public const int ClassicUdpLimit = 512;

    public const int MaxMessageLength = 65535;

    /// <summary>An OPT record with no options: root name, type, class, TTL, RDLENGTH.</summary>
    public const int OptRecordLength = 11;

    public const ushort TypeA = 1;
    public const ushort TypeNs = 2;
    public const ushort TypeSoa = 6;
    public const ushort TypeAaaa = 28;
    public const ushort TypeSrv = 33;
    public const ushort TypeOpt = 41;
    public const ushort TypeIxfr = 251;
    public const ushort TypeAxfr = 252;
    public const ushort TypeMailB = 253;
    public const ushort TypeMailA = 254;
    public const ushort TypeAny = 255;

    public const ushort ClassIn = 1;
    public const ushort ClassAny = 255;

    // Byte 2 of the header.
    public const byte FlagQr = 0x80;
    public const byte OpcodeMask = 0x78;
    public const byte FlagAa = 0x04;
    public const byte FlagTc = 0x02;
    public const byte FlagRd = 0x01;

    // Byte 3 of the header.
    public const byte FlagRa = 0x80;
    public const byte FlagCd = 0x10;
    public const byte RcodeMask = 0x0F;
}
