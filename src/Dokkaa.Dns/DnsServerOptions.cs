using System.Net;
using Dokkaa.Dns.Limits;
using Dokkaa.Dns.Wire;

namespace Dokkaa.Dns;

/// <summary>
/// Settings of the <c>.container</c> DNS server. Treat an instance as immutable once it is in use:
/// derived data (the zone in wire form, the answer index) is cached per instance.
/// </summary>
public sealed class DnsServerOptions
{
    /// <summary>The DNS port.</summary>
    public const int DefaultPort = 53;

    /// <summary>
    /// Where to listen; each endpoint gets a UDP socket and a TCP listener on the same port. Port 0 picks a
    /// free port (the same one for UDP and TCP); <see cref="DnsServer.LocalEndpoints"/> tells which.
    /// </summary>
    public IReadOnlyList<IPEndPoint> Listen { get; init; } = [new IPEndPoint(IPAddress.Loopback, DefaultPort)];

    /// <summary>
    /// Resolvers that names outside the zone are forwarded to, tried in order. Empty (the default): such
    /// names get REFUSED and the RA flag is never set, so the server is not an open resolver by accident.
    /// </summary>
    public IReadOnlyList<IPEndPoint> Upstreams { get; init; } = [];

    /// <summary>
    /// TTL of every answer, and the SOA minimum (the negative-caching TTL, RFC 2308). 5 s: instances move
    /// when hosts fail or manifests change, and a client should follow within seconds; yet a chatty client
    /// asking in a loop is served from its own cache for a few seconds instead of reaching the agent on
    /// every connection. DaprDockr's TTL 0 made every lookup a round trip to the agent.
    /// </summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The zone served, without a trailing dot; case does not matter.</summary>
    public string Zone { get; init; } = "container";

    /// <summary>
    /// The largest UDP response (RFC 6891 payload size) advertised and sent; a client asking for more gets
    /// this much. 1232 avoids IP fragmentation on any path (the DNS Flag Day 2020 value).
    /// </summary>
    public int MaxUdpPayload { get; init; } = 1232;

    /// <summary>How long to wait for one upstream before trying the next.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Forwarded queries in flight at once; beyond that a forwarded name gets SERVFAIL at once.</summary>
    public int MaxConcurrentForwards { get; init; } = 256;

    /// <summary>A TCP connection that sends no further query for this long is closed (RFC 7766 6.2.3).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Once the first byte of a query has arrived, the rest must arrive within this, and the client must take
    /// the whole answer within it again: a client that trickles its query (or never reads) holds a connection
    /// for this long at most, not for the idle timeout per byte. A real client sends a query in one segment.
    /// </summary>
    public TimeSpan TcpQueryTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Open TCP connections per server. When they are all open, a new one replaces the connection that has
    /// waited longest for a query; it is refused only while every connection is in the middle of a query.
    /// </summary>
    public int MaxTcpConnections { get; init; } = 256;

    /// <summary>
    /// Open TCP connections per client address (IPv6: per /64); more are closed at once. A stub resolver
    /// uses one connection at a time, so 16 leaves room for a busy host while no one client holds them all.
    /// </summary>
    public int MaxTcpConnectionsPerSource { get; init; } = 16;

    /// <summary>Response-rate limiting of UDP answers per client prefix (on by default; see <see cref="DnsRateLimitOptions"/>).</summary>
    public DnsRateLimitOptions RateLimit { get; init; } = new();

    /// <summary>Concurrent receive loops per UDP socket; 0 means one per processor, at most 8.</summary>
    public int UdpReceivers { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (Listen is null || Listen.Count == 0)
            throw new ArgumentException("at least one listen endpoint is required", nameof(Listen));
        if (Upstreams is null)
            throw new ArgumentException("upstreams must not be null (use an empty list)", nameof(Upstreams));
        if (Ttl < TimeSpan.Zero || Ttl.TotalSeconds > int.MaxValue)
            throw new ArgumentException($"TTL {Ttl} is out of range", nameof(Ttl));
        if (MaxUdpPayload is < DnsConstants.ClassicUdpLimit or > DnsConstants.MaxMessageLength)
            throw new ArgumentException($"the UDP payload size must be between 512 and 65535, not {MaxUdpPayload}", nameof(MaxUdpPayload));
        if (UpstreamTimeout <= TimeSpan.Zero)
            throw new ArgumentException("the upstream timeout must be positive", nameof(UpstreamTimeout));
        if (TcpIdleTimeout <= TimeSpan.Zero)
            throw new ArgumentException("the TCP idle timeout must be positive", nameof(TcpIdleTimeout));
        if (TcpQueryTimeout <= TimeSpan.Zero)
            throw new ArgumentException("the TCP query timeout must be positive", nameof(TcpQueryTimeout));
        if (MaxConcurrentForwards < 1 || MaxTcpConnections < 1 || MaxTcpConnectionsPerSource < 1 || UdpReceivers < 0)
            throw new ArgumentException("limits must be positive");
        if (RateLimit is null)
            throw new ArgumentException("the rate limit settings must not be null", nameof(RateLimit));
        RateLimit.Validate();
        _ = ZoneWire(Zone);
    }

    /// <summary>
    /// Parses <c>address:port</c>, <c>[v6]:port</c> or a bare address (port 53), as given to
    /// <c>--dns-listen</c> and <c>--dns-upstream</c>.
    /// </summary>
    public static IPEndPoint ParseEndpoint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IPAddress.TryParse(text, out var bare) && !text.StartsWith('['))
            return new IPEndPoint(bare, DefaultPort);
        if (IPEndPoint.TryParse(text, out var endpoint))
            return endpoint.Port == 0 && !text.EndsWith(":0", StringComparison.Ordinal) ? new IPEndPoint(endpoint.Address, DefaultPort) : endpoint;
        throw new FormatException($"'{text}' is not an address or address:port");
    }

    internal static byte[] ZoneWire(string zone)
    {
        byte[] wire;
        try
        {
            wire = DnsName.FromText(zone);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"zone '{zone}' is not a domain name: {e.Message}", nameof(Zone), e);
        }

        if (wire.Length == 1)
            throw new ArgumentException("the zone must not be the root", nameof(Zone));
        return wire;
    }
}
