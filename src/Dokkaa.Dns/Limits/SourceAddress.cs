using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Dokkaa.Dns.Limits;

/// <summary>
/// A client's address (or a prefix of it) as a number, read without allocating from the raw socket address
/// a UDP receive fills in, so that the per-packet limits cost no garbage. IPv4-mapped IPv6 addresses (a
/// dual-stack socket) count as the IPv4 address they carry: the same client is one key however it arrives.
/// </summary>
internal readonly record struct SourceAddress(bool IsV4, UInt128 Value)
{
    private const int V4Bits = 32;
    private const int V6Bits = 128;

    // Linux sockaddr_in: family(2) port(2) address(4); sockaddr_in6: family(2) port(2) flowinfo(4) address(16).
    private const int V4Offset = 4;
    private const int V6Offset = 8;

    public static bool TryRead(SocketAddress address, out SourceAddress source)
    {
        var bytes = address.Buffer.Span;
        if (address.Family == AddressFamily.InterNetwork && address.Size >= V4Offset + 4)
        {
            source = new SourceAddress(true, BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(V4Offset, 4)));
            return true;
        }

        if (address.Family == AddressFamily.InterNetworkV6 && address.Size >= V6Offset + 16)
        {
            source = FromV6(BinaryPrimitives.ReadUInt128BigEndian(bytes.Slice(V6Offset, 16)));
            return true;
        }

        source = default;
        return false;
    }

    public static SourceAddress From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
            throw new ArgumentException($"{address} is not an IP address", nameof(address));
        return written == 4
            ? new SourceAddress(true, BinaryPrimitives.ReadUInt32BigEndian(bytes))
            : FromV6(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    /// <summary>The first <paramref name="v4Length"/> (IPv4) or <paramref name="v6Length"/> (IPv6) bits, the rest zero.</summary>
    public SourceAddress Prefix(int v4Length, int v6Length) =>
        this with { Value = Value & Mask(IsV4, IsV4 ? v4Length : v6Length) };

    public bool IsWithin(SourceAddress network, int length) =>
        IsV4 == network.IsV4 && (Value & Mask(IsV4, length)) == network.Value;

    /// <summary>The address in text, e.g. for a log line naming the prefix that is being limited.</summary>
    public IPAddress ToAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsV4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Value);
            return new IPAddress(bytes[..4]);
        }

        BinaryPrimitives.WriteUInt128BigEndian(bytes, Value);
        return new IPAddress(bytes);
    }

    internal static UInt128 Mask(bool v4, int length)
    {
        var bits = v4 ? V4Bits : V6Bits;
        if (length <= 0)
            return UInt128.Zero;
        var all = v4 ? uint.MaxValue : UInt128.MaxValue;
        return length >= bits ? all : all & (UInt128.MaxValue << (bits - length));
    }

    private static SourceAddress FromV6(UInt128 value)
    {
        // ::ffff:a.b.c.d (RFC 4291 2.5.5.2)
        const ulong mappedHigh = 0;
        const ulong mappedMarker = 0x0000_FFFFUL;
        return (ulong)(value >> 64) == mappedHigh && (ulong)value >> 32 == mappedMarker
            ? new SourceAddress(true, (uint)value)
            : new SourceAddress(false, value);
    }
}
