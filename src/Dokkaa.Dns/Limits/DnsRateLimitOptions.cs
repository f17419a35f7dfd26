using System.Net;
using Dokkaa.Dns.Wire;

namespace Dokkaa.Dns.Limits;

/// <summary>
/// Response-rate limiting of UDP answers: a token bucket per client prefix, so that the server cannot be used
/// to flood a third party with answers to queries sent under its forged address. TCP is never limited here
/// (a TCP client has proven its address); a limited client that gets a truncated answer (the slip) retries
/// over TCP and is answered.
/// </summary>
public sealed record DnsRateLimitOptions
{
    /// <summary>
    /// Sources never limited: loopback, which the kernel does not accept from outside the machine. The
    /// agent adds the Docker bridge's subnet (answers to it stay on the host, so forging it reflects nothing
    /// off the machine), so containers are never limited.
    /// </summary>
    public static readonly IReadOnlyList<IPNetwork> DefaultExempt = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    /// <summary>
    /// Answers per second per prefix once the burst is spent; 0 turns limiting off. 200/s is far above what a
    /// /24 of ordinary resolvers asks one zone for, and caps the answers sent towards one forged prefix at
    /// about 2 Mbit/s (1232-byte answers), where the slip's truncated answers are no larger than the query.
    /// </summary>
    public int ResponsesPerSecond { get; init; } = 200;

    /// <summary>Answers a prefix may have at once before the rate applies (the bucket's size).</summary>
    public int Burst { get; init; } = 1000;

    /// <summary>
    /// Every Nth limited query gets a truncated answer (TC, no records) instead of nothing, so that a real
    /// client behind a limited prefix retries over TCP; 0 drops every limited query, 1 truncates them all.
    /// </summary>
    public int Slip { get; init; } = 2;

    /// <summary>IPv4 clients share a bucket per prefix of this length: forging any address of a /24 spends the same tokens.</summary>
    public int IPv4PrefixLength { get; init; } = 24;

    /// <summary>IPv6 clients share a bucket per prefix of this length (a site usually gets a /56 or a /48).</summary>
    public int IPv6PrefixLength { get; init; } = 56;

    /// <summary>Clients that are never limited (see <see cref="DefaultExempt"/>).</summary>
    public IReadOnlyList<IPNetwork> Exempt { get; init; } = DefaultExempt;

    /// <summary>
    /// The largest UDP answer to a client that is not exempt, whatever EDNS size it offers: 512 bytes, the
    /// size without EDNS. A larger answer (an SRV of some 20 instances fills 1,232 bytes, 22 times its query)
    /// gets TC and comes over TCP, so one answer to a forged address is at most about ten times its query.
    /// </summary>
    public int UdpPayloadLimit { get; init; } = DnsConstants.ClassicUdpLimit;

    /// <summary>Buckets kept; prefixes beyond that share buckets (by hash), so a flood from forged prefixes cannot grow memory.</summary>
    public int Buckets { get; init; } = 16384;

    public bool Enabled => ResponsesPerSecond > 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (ResponsesPerSecond < 0)
            throw new ArgumentException($"the response rate limit must be 0 (off) or a positive number per second, not {ResponsesPerSecond}", nameof(ResponsesPerSecond));
        if (Enabled && Burst < 1)
            throw new ArgumentException($"the response rate burst must be at least 1, not {Burst}", nameof(Burst));
        if (Slip < 0)
            throw new ArgumentException($"the slip must be 0 (drop every limited answer) or positive, not {Slip}", nameof(Slip));
        if (IPv4PrefixLength is < 1 or > 32)
            throw new ArgumentException($"the IPv4 prefix length must be between 1 and 32, not {IPv4PrefixLength}", nameof(IPv4PrefixLength));
        if (IPv6PrefixLength is < 1 or > 128)
            throw new ArgumentException($"the IPv6 prefix length must be between 1 and 128, not {IPv6PrefixLength}", nameof(IPv6PrefixLength));
        if (UdpPayloadLimit is < DnsConstants.ClassicUdpLimit or > DnsConstants.MaxMessageLength)
            throw new ArgumentException($"the UDP payload limit must be between 512 and 65535, not {UdpPayloadLimit}", nameof(UdpPayloadLimit));
        if (Buckets < 1 || (Buckets & (Buckets - 1)) != 0)
            throw new ArgumentException($"the bucket count must be a power of two, not {Buckets}", nameof(Buckets));
        if (Exempt is null)
            throw new ArgumentException("the exempt networks must not be null (use an empty list)", nameof(Exempt));
    }

    /// <summary>Parses a network such as <c>10.0.0.0/8</c> or <c>fd00::/8</c> (a bare address is that one address), as given to <c>--dns-rate-limit-exempt</c>.</summary>
    public static IPNetwork ParseNetwork(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address))
            throw new FormatException($"'{text}' is not a network like 10.0.0.0/8: no address before the '/'");
        var bits = address.GetAddressBytes().Length * 8;
        var length = bits;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length) || length > bits))
            throw new FormatException($"'{text}' is not a network like 10.0.0.0/8: the prefix length must be 0 to {bits}");
        // 10.0.0.1/8 is a typo for 10.0.0.1/32 or for 10.0.0.0/8: say so rather than guess.
        var network = NetworkOf(address, length);
        if (!network.BaseAddress.Equals(address))
            throw new FormatException($"'{text}' is not a network like 10.0.0.0/8: the address has bits set past the prefix length");
        return network;
    }

    /// <summary>The network of <paramref name="prefixLength"/> bits that <paramref name="address"/> is in, e.g. 172.17.0.1 and 16 give 172.17.0.0/16.</summary>
    public static IPNetwork NetworkOf(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var prefix = SourceAddress.From(address).Prefix(prefixLength, prefixLength).ToAddress();
        // SourceAddress reads an IPv4-mapped address as IPv4; keep the family the caller gave.
        return new IPNetwork(address.IsIPv4MappedToIPv6 ? prefix.MapToIPv6() : prefix, prefixLength);
    }
}
