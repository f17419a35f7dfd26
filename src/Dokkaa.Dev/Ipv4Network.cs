using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Dokkaa.Dev;

/// <summary>An IPv4 network in CIDR form (10.213.0.0/24), enough arithmetic for the dev cluster's address plan.</summary>
public readonly record struct Ipv4Network(uint Network, int PrefixLength)
{
    public ulong Size => 1UL << (32 - PrefixLength);

    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public uint Last => (uint)(Network + Size - 1);

    public static Ipv4Network Parse(string text, string what)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(text[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            throw new DevException($"{what}: \"{text}\" is not an IPv4 network like 10.213.0.0/24");
        }

        var value = ToUInt(address);
        var network = new Ipv4Network(value, prefix);
        if ((value & network.Mask) != value)
            throw new DevException($"{what}: \"{text}\" has host bits set; did you mean {Format(value & network.Mask)}/{prefix}?");
        return network;
    }

    /// <summary>A route or address as <c>ip</c> prints it: <c>192.0.2.0/24</c>, <c>192.0.2.2/24</c> or a bare address.</summary>
    public static bool TryParseLoose(string text, out Ipv4Network network)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        var prefix = 32;
        if (!IPAddress.TryParse(addressText, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
            return false;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32))
            return false;
        var mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        network = new Ipv4Network(ToUInt(address) & mask, prefix);
        return true;
    }

    /// <summary>The n-th address of the network (0 is the network address itself).</summary>
    public string Address(ulong n)
    {
        if (n >= Size)
            throw new DevException($"{this} has no address number {n}");
        return Format((uint)(Network + n));
    }

    /// <summary>The n-th sub-network with the given prefix length (e.g. the n-th /24 of a /16).</summary>
    public Ipv4Network Subnet(int prefixLength, ulong n)
    {
        if (prefixLength < PrefixLength || n >= 1UL << (prefixLength - PrefixLength))
            throw new DevException($"{this} has no /{prefixLength} number {n}");
        return new Ipv4Network((uint)(Network + (n << (32 - prefixLength))), prefixLength);
    }

    public bool Overlaps(Ipv4Network other) => Network <= other.Last && other.Network <= Last;

    public override string ToString() => $"{Format(Network)}/{PrefixLength}";

    private static uint ToUInt(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
    }

    private static string Format(uint value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}");
}
